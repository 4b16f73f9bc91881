using Asl.Distributed.Training.Devices;
using Asl.Distributed.Training.Tests.Loop;

namespace Asl.Distributed.Training.Tests.Devices;

/// <summary>The batch source of a run on its device: on the CPU the loader's own, untouched (no copy, no pinning).</summary>
public sealed class DeviceBatchesTests
{
    [Fact]
    public void On_Cpu_IsTheSourceItself()
    {
        var source = new InMemoryBatches(8, 4, 4, dataSeed: 1, orderSeed: 2);

        Assert.Same(source, DeviceBatches.On(source, TrainingDevice.Cpu));
    }
}
