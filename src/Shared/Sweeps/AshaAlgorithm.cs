namespace Asl.Distributed.Sweeps;

/// <summary>
/// Asynchronous successive halving (Ray Tune's ASHAScheduler with one bracket): the trials of random
/// (<paramref name="NumTrials"/> samples) or, where it is null, of grid, each scheduled for
/// <paramref name="MaxEpochs"/> epochs and stopped early at the rungs <paramref name="GracePeriod"/>·η^k when its
/// result is not in the top 1/η of those recorded at the rung before it (η = <paramref name="ReductionFactor"/>).
/// </summary>
public sealed record AshaAlgorithm(int? NumTrials, double ReductionFactor, int GracePeriod, int MaxEpochs) : SweepAlgorithm
{
    public override SweepAlgorithmKind Kind => SweepAlgorithmKind.Asha;

    public override bool Enumerates => NumTrials is null;
}
