using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Training.Tests.Devices;

/// <summary>
/// run.device resolved against what the loaded libtorch offers (the facts are inputs: this machine has no CUDA, and
/// the resolution is a pure function of them).
/// </summary>
public sealed class DeviceResolverTests
{
    private static readonly CudaFacts TwoDevices = new(true, 2);

    [Theory]
    [InlineData("cpu", 0, "cpu")]
    [InlineData("auto", 0, "cuda:0")]
    [InlineData("auto", 1, "cuda:1")]
    [InlineData("auto", 3, "cuda:1")]
    [InlineData("cuda", 0, "cuda:0")]
    [InlineData("cuda", 1, "cuda:1")]
    [InlineData("cuda:1", 0, "cuda:1")]
    [InlineData("cuda:0", 1, "cuda:0")]
    public void Resolve_WithTwoDevices_GivesTheNamedOrTheLocalRanksDevice(string setting, int localRank, string expected)
    {
        Assert.True(ComputeDevice.TryParse(setting, out var device));
        Assert.Equal(expected, DeviceResolver.Resolve(device, localRank, TwoDevices).ToString());
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    public void Resolve_AutoWithoutAUsableDevice_IsTheCpu(bool natives, int count) =>
        Assert.Equal(TrainingDevice.Cpu, DeviceResolver.Resolve(ComputeDevice.Auto, 0, new CudaFacts(natives, count)));

    [Fact]
    public void Resolve_CudaWithCpuNatives_NamesTheKeyWhatIsMissingAndBothRoutes()
    {
        var error = Assert.Throws<ConfigException>(() => DeviceResolver.Resolve(ComputeDevice.Cuda(), 0, CudaFacts.None));

        Assert.Equal("run.device", error.Field);
        Assert.Contains("'cuda' cannot be used: the loaded libtorch has no CUDA support", error.Message);
        Assert.Contains("ASL_LIBTORCH_DIR", error.Message);
        Assert.Contains("-p:TorchSharpBackend=cuda", error.Message);
        Assert.EndsWith("allowed here: auto, cpu", error.Message);
    }

    [Fact]
    public void Resolve_CudaWithNativesButNoDevice_SaysTheDriverShowsNone()
    {
        var error = Assert.Throws<ConfigException>(() => DeviceResolver.Resolve(ComputeDevice.Cuda(0), 0, new CudaFacts(true, 0)));

        Assert.Contains("'cuda:0' cannot be used: the CUDA natives are loaded but the driver shows no device", error.Message);
    }

    [Theory]
    [InlineData(2, 0, "'cuda:2' asks for device 2 but this process sees 2 CUDA device(s); allowed: cuda:0 to cuda:1, cuda, auto, cpu")]
    [InlineData(null, 2, "'cuda' asks for device 2 (the local rank 2's own device) but this process sees 2 CUDA device(s)")]
    public void Resolve_IndexBeyondTheDevices_NamesTheIndexAndTheAllowedOnes(int? index, int localRank, string message)
    {
        var error = Assert.Throws<ConfigException>(() => DeviceResolver.Resolve(ComputeDevice.Cuda(index), localRank, TwoDevices));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void CudaFacts_OnThisMachine_HaveNoCudaAndAutoIsTheCpu()
    {
        // The test machines run TorchSharp's CPU natives; a CUDA machine checks its own with asl-worker check.
        var facts = CudaFacts.Read();
        Assert.Equal(CudaFacts.None, facts);
        Assert.Equal(TrainingDevice.Cpu, DeviceResolver.Resolve(ComputeDevice.Auto, 0, facts));
    }
}
