namespace Asl.Distributed.Training.Loop;

/// <summary>
/// What one model scored on the whole validation set. <see cref="Diverged"/> when some score was not finite: the
/// metrics are then NaN, since a ranking with NaN scores means nothing.
/// </summary>
public sealed record ValidationResult(double Map, double Loss, double Cf1, double Of1, double ProbGap, int Samples, IReadOnlyList<double> ClassAp,
    bool Diverged = false)
{
    /// <summary>The result of a validation that met non-finite scores.</summary>
    public static ValidationResult DivergedResult(int classCount, double loss, int samples) =>
        new(double.NaN, loss, double.NaN, double.NaN, double.NaN, samples, Enumerable.Repeat(double.NaN, classCount).ToArray(), Diverged: true);
}
