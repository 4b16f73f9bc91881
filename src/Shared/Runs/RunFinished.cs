namespace Asl.Distributed.Runs;

/// <summary>The run ended as planned: every epoch ran (<see cref="RunExitReason.Completed"/>) or it stopped on request (<see cref="RunExitReason.Stopped"/>).</summary>
public sealed record RunFinished(TrainingSummary Summary) : RunEvent;
