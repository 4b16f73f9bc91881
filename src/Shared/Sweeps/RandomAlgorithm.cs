namespace Asl.Distributed.Sweeps;

/// <summary><paramref name="NumTrials"/> trials, each drawing every key independently from its domain.</summary>
public sealed record RandomAlgorithm(int NumTrials) : SweepAlgorithm
{
    public override SweepAlgorithmKind Kind => SweepAlgorithmKind.Random;

    public override bool Enumerates => false;
}
