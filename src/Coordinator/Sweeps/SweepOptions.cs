namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Where trials write: each trial's output folder is TrialsDirectory/sweep id/trial id.</summary>
public sealed class SweepOptions
{
    public string TrialsDirectory { get; set; } = "trials";
}
