namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>
/// Tests that seed torch's global generator and then create models: they must not run beside other tests that draw
/// from or reseed that generator, or two runs that should be identical initialise differently.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection
{
    public const string Name = "global torch random state";
}
