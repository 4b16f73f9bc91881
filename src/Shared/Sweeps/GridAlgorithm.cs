namespace Asl.Distributed.Sweeps;

/// <summary>Every combination of the grid and choice values once, the first key written varying slowest.</summary>
public sealed record GridAlgorithm : SweepAlgorithm
{
    public override SweepAlgorithmKind Kind => SweepAlgorithmKind.Grid;

    public override bool Enumerates => true;
}
