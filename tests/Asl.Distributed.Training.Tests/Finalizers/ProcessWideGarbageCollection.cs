namespace Asl.Distributed.Training.Tests.Finalizers;

/// <summary>
/// Tests that force garbage collections or count every finalizer the process runs: they run alone, after the
/// parallel tests, because other tests' garbage would be counted, every other test would be paused by the forced
/// collections, and TorchSharp code elsewhere that still leaves Scalars to finalizers (its optimizers, for one)
/// could meet the very race these tests provoke.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideGarbageCollection
{
    public const string Name = "process-wide garbage collection";
}
