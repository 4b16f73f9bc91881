using Asl.Distributed.Training.Devices;

namespace Asl.Distributed.Training.Tests.Devices;

/// <summary>
/// Route (b)'s refusals, which load nothing (loading a second libtorch into a process that has one would be wrong;
/// the load itself is exercised by the device pack's self-test, build/device-check.sh --self-test).
/// </summary>
public sealed class TorchNativesTests
{
    [Fact]
    public void LoadFrom_NotAFolder_NamesTheVariableAndWhatItMustHold()
    {
        var error = Assert.Throws<TorchNativesException>(() => TorchNatives.LoadFrom("/nonexistent/torch/lib"));

        Assert.Equal("ASL_LIBTORCH_DIR is '/nonexistent/torch/lib', which is not a folder; allowed: the lib folder of a PyTorch install (the one holding libtorch.so)", error.Message);
    }

    [Fact]
    public void LoadFrom_FolderWithoutLibtorch_NamesTheFirstMissingLibraryBeforeLoadingAny()
    {
        string folder = Directory.CreateTempSubdirectory("asl-libtorch-").FullName;
        try
        {
            var error = Assert.Throws<TorchNativesException>(() => TorchNatives.LoadFrom(folder));

            Assert.StartsWith($"ASL_LIBTORCH_DIR is '{folder}', which has no libc10.so", error.Message);
            Assert.Null(TorchNatives.LoadedFrom);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }
}
