namespace Asl.Distributed.Sweeps;

/// <summary>How a sweep chooses its trials (spec <c>algorithm.kind</c>).</summary>
public enum SweepAlgorithmKind
{
    /// <summary>Every combination of the grid and choice values, once.</summary>
    Grid,
    /// <summary><c>num_trials</c> trials, each sampling every key independently.</summary>
    Random,
    /// <summary>The trials of random (or of grid), stopped early at rungs by asynchronous successive halving.</summary>
    Asha,
}
