namespace Asl.Distributed.Training.Loop;

/// <summary>What one model scored on the whole validation set.</summary>
public sealed record ValidationResult(double Map, double Loss, double Cf1, double Of1, double ProbGap, int Samples);
