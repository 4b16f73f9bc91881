namespace Asl.Distributed.Coordinator.Trials;

/// <summary>
/// A worker's report that does not belong to the trial's current attempt, or arrives after the trial ended; the
/// report changes nothing (the API answers FAILED_PRECONDITION).
/// </summary>
[GenerateSerializer, Alias("asl.TrialReportRefusedException")]
public sealed class TrialReportRefusedException : Exception
{
    public TrialReportRefusedException(string message) : base(message) { }
}
