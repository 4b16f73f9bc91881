using System.Diagnostics;

namespace Asl.Distributed.Coordinator.Tests;

/// <summary>The <c>asl</c> executable, run as a real process.</summary>
public sealed class AslCommandLineTests
{
    [Fact]
    public void LossPresets_AllPresets_PrintsEachPresetsSettings()
    {
        var (exit, stdout, _) = RunAsl("loss-presets");
        Assert.Equal(0, exit);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(cells => cells[0]);
        Assert.Equal(["4", "0", "0.05", "1E-08", "true", "sum"], rows["asl-coco"][1..]);
        Assert.Equal(["0", "0", "0", "1E-08", "true", "sum"], rows["bce"][1..]);
        Assert.Equal(["4", "1", "0.05", "1E-08", "true", "sum"], rows["asl"][1..]);
        Assert.Equal(["2", "2", "0", "1E-08", "true", "sum"], rows["focal"][1..]);
    }

    [Fact]
    public void LossPresets_UnknownPreset_ExitsTwoNamingAllowedValues()
    {
        var (exit, _, stderr) = RunAsl("loss-presets", "asymmetric");
        Assert.Equal(2, exit);
        Assert.Contains("asl: preset 'asymmetric' is not a loss preset; allowed: asl, asl-coco, bce, focal", stderr);
    }

    [Fact]
    public void UnknownCommand_ExitsTwo()
    {
        var (exit, _, stderr) = RunAsl("train");
        Assert.Equal(2, exit);
        Assert.Contains("'train'", stderr);
    }

    [Fact]
    public void LossPresets_AnyCase_PrintsTheCanonicalPreset()
    {
        var (exit, stdout, _) = RunAsl("loss-presets", "ASL-Coco");
        Assert.Equal(0, exit);
        Assert.StartsWith("asl-coco ", stdout.Split('\n')[1]);
    }

    [Fact]
    public void Help_ListsTheCommands()
    {
        var (exit, stdout, _) = RunAsl("--help");
        Assert.Equal(0, exit);
        Assert.Contains("loss-presets", stdout);
        Assert.Contains("serve", stdout);
        Assert.Contains("sweep", stdout);
        Assert.Contains("workers", stdout);
    }

    [Theory]
    [InlineData("--port", "70000", "--port: allowed: an integer in [0, 65535]")]
    [InlineData("--heartbeat-timeout-s", "1", "--heartbeat-timeout-s: allowed: a number above twice --heartbeat-interval-s")]
    [InlineData("--host", "localhost:1", "--host: 'localhost:1' is not an IP address")]
    public void Serve_BadOption_ExitsTwoNamingItBeforeStarting(string option, string value, string message)
    {
        string dir = Path.Combine(Path.GetTempPath(), "asl-serve-bad-" + Guid.NewGuid().ToString("N"));
        var (exit, _, stderr) = RunAsl("serve", "--dir", dir, option, value);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void SweepRun_NoLocalWorkers_ExitsTwoNamingTheOption()
    {
        var (exit, _, stderr) = RunAsl("sweep", "run", "spec.yaml", "--local-workers", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--local-workers: allowed: an integer in [1, 64]", stderr);
    }

    [Fact]
    public void SweepStatus_NoTokenAnywhere_ExitsTwoSayingWhereATokenComesFrom()
    {
        string dir = Path.Combine(Path.GetTempPath(), "asl-no-token-" + Guid.NewGuid().ToString("N"));
        var (exit, _, stderr) = RunAsl("sweep", "status", "s", "--dir", dir);
        Assert.Equal(2, exit);
        Assert.Contains("no client token: give --token-file, set ASL_CLIENT_TOKEN, or point --dir at the coordinator's folder", stderr);
    }

    private static (int Exit, string Stdout, string Stderr) RunAsl(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("ASL_CLIENT_TOKEN");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "asl.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "asl did not exit within 60 s");
        return (process.ExitCode, stdout, stderr);
    }
}
