namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>A spec names a stored sweep but differs from its spec (the API answers ALREADY_EXISTS).</summary>
[GenerateSerializer, Alias("asl.SweepConflictException")]
public sealed class SweepConflictException : Exception
{
    public SweepConflictException(string message) : base(message) { }
}
