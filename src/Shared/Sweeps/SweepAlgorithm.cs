namespace Asl.Distributed.Sweeps;

/// <summary>
/// How a sweep chooses and stops its trials: <see cref="GridAlgorithm"/>, <see cref="RandomAlgorithm"/> or
/// <see cref="AshaAlgorithm"/>, and no others.
/// </summary>
public abstract record SweepAlgorithm
{
    private protected SweepAlgorithm()
    {
    }

    public abstract SweepAlgorithmKind Kind { get; }

    /// <summary>Whether the trials are every combination of the listed values (else each samples every key).</summary>
    public abstract bool Enumerates { get; }
}
