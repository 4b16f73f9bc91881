namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// <c>asl-worker devices</c> and <c>check --device</c> as real processes, and a run asking for a device this machine
/// lacks. These machines have TorchSharp's CPU natives and no GPU: a GPU machine runs <c>check --device cuda</c>.
/// </summary>
public sealed class DeviceCommandTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-device-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Devices_OnACpuMachine_NamesLibtorchAndTheCpuAndSaysCudaIsMissing()
    {
        var (exit, output, error) = WorkerProcess.Run(Limit, "devices");

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^TorchSharp 0\.107\.\S+, libtorch 2\.\S+ \(the natives packaged with this build\)$", lines[0]);
        Assert.Equal("CUDA: not available (the loaded libtorch has no CUDA support)", lines[1]);
        Assert.Matches($@"^cpu: {Environment.ProcessorCount} cores, \d+ torch threads, bfloat16 (yes|no)$", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void CheckCpu_EveryCheckPasses()
    {
        var (exit, output, error) = WorkerProcess.Run(Limit, "check", "--device", "cpu");

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("checking cpu", lines[0]);
        foreach (string check in new[] { "placement", "asymmetric loss and its gradient against float64", "float16 loss scaler on a real overflow", "training steps against the CPU",
            "checkpoint written and read back", "data-parallel ring through pinned buffers" })
            Assert.Contains(lines, l => l.StartsWith($"ok   {check}: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2 ranks over loopback sockets on cpu, 2 buckets (1 during backward) through plain host buffers: the same bits on both ranks", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("skip", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Equal("all checks passed", lines[^1]);
    }

    [Fact]
    public void CheckSpeed_TinySizes_PrintsEachFigureWithItsUnit()
    {
        var (exit, output, error) = WorkerProcess.Run(Limit, "check", "--device", "cpu", "--speed", "--speed-batch", "2", "--speed-size", "32", "--speed-steps", "1", "--speed-ring-mib", "2");

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Matches(@"speed: resnet50 32 px batch 2 float32 on cpu: [0-9.]+ images/s \([0-9.]+ ms/step\)", output);
        Assert.Matches(@"speed: resnet50 32 px batch 2 bfloat16 on cpu: [0-9.]+ images/s", output);
        Assert.Matches(@"speed: asl \(256, 9605\) forward\+backward float32 on cpu: [0-9.]+ ms", output);
        Assert.Matches(@"speed: ring all-reduce, 2 ranks over loopback sockets, 2 MiB in 25 MiB buckets on cpu: [0-9.]+ GB/s busbw \([0-9.]+ ms\)", output);
    }

    [Fact]
    public void CheckSpeed_ZeroBatch_ExitsTwoNamingTheOption()
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, "check", "--speed", "--speed-batch", "0");

        Assert.Equal(2, exit);
        Assert.Contains("--speed-batch '0' is out of range; allowed: an integer >= 1", error);
    }

    [Theory]
    [InlineData("check", "--device", "cuda")]
    [InlineData("check", "--device", "cuda:1")]
    public void CheckCuda_WithoutCudaNatives_ExitsTwoSayingWhatIsMissing(params string[] args)
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, args);

        Assert.Equal(2, exit);
        Assert.Contains($"--device: run.device: '{args[2]}' cannot be used: the loaded libtorch has no CUDA support", error);
        Assert.Contains("ASL_LIBTORCH_DIR", error);
    }

    [Fact]
    public void Train_RunDeviceCuda_ExitsTwoNamingTheKeyBeforeAnyWork()
    {
        string config = Path.Combine(_folder, "train.yaml");
        File.WriteAllText(config, $"data: {{kind: synthetic-shapes, root: {Path.Combine(_folder, "shapes")}}}\noutput: {{dir: {Path.Combine(_folder, "run")}}}\n");

        var (exit, output, error) = WorkerProcess.Run(Limit, "train", config, "run.device=CUDA:0");

        Assert.True(exit == 2, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("run.device: 'cuda:0' cannot be used: the loaded libtorch has no CUDA support", error);
        // Nothing was generated or written: the device is resolved before the data.
        Assert.False(Directory.Exists(Path.Combine(_folder, "shapes")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "run")));
    }

    [Fact]
    public void AnyCommand_LibtorchFolderWithoutLibtorch_ExitsTwoNamingTheVariableAndTheFile()
    {
        using var worker = new WorkerProcess(new Dictionary<string, string> { ["ASL_LIBTORCH_DIR"] = _folder }, "devices");

        Assert.Equal(2, worker.WaitForExit(Limit));
        Assert.Contains($"asl-worker: ASL_LIBTORCH_DIR is '{_folder}', which has no libc10.so", worker.Error);
    }
}
