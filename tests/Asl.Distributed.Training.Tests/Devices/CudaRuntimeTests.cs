using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Training.Tests.Devices;

/// <summary>The CUDA versions <c>asl-worker devices</c> prints and agents register, on a machine without CUDA.</summary>
public sealed class CudaRuntimeTests
{
    [Theory]
    [InlineData(13000, "13.0")]
    [InlineData(12040, "12.4")]
    [InlineData(11080, "11.8")]
    [InlineData(12090, "12.9")]
    public void Version_CudasEncoding_IsMajorDotMinor(int encoded, string expected) => Assert.Equal(expected, CudaRuntime.Version(encoded));

    [Fact]
    public void Versions_WithTorchSharpsCpuNatives_IsNullAndTheInventorySaysNoCuda()
    {
        Assert.Null(CudaRuntime.Versions());
        var inventory = DeviceInventory.Read();
        Assert.Null(inventory.CudaVersions);
        Assert.EndsWith(", no CUDA", inventory.Runtime);
        Assert.StartsWith($"TorchSharp {inventory.TorchSharpVersion}, libtorch {inventory.LibTorchVersion}", inventory.Runtime);
    }
}
