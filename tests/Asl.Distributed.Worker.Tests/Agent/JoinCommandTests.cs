using Asl.Distributed.Worker.Tests.Agent.TestHub;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary><c>asl-worker join</c>'s command line as a real process: its help, and every refusal exits 2 naming the option or the token's sources.</summary>
public sealed class JoinCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private static readonly Dictionary<string, string> NoToken = new() { ["ASL_WORKER_TOKEN"] = "" };

    [Fact]
    public void JoinHelp_DescribesEveryOptionTheStopAndTheExitCodes()
    {
        var (exit, output, _) = WorkerProcess.Run(Limit, "join", "--help");
        Assert.Equal(0, exit);
        foreach (string expected in new[] { "--coordinator", "--worker-id", "--peer-port", "--advertise-host", "--device", "--capacity", "--token-file", "--tls-ca", "--log-level",
            "ASL_WORKER_TOKEN", "exits within 25 s", "130 stopped by SIGTERM or Ctrl-C", "SIGKILL ends the trainer with the agent" })
        {
            Assert.Contains(expected, output);
        }
    }

    [Theory]
    [InlineData(new[] { "join" }, "--coordinator")]
    [InlineData(new[] { "join", "--coordinator", "localhost:5000" }, "--coordinator 'localhost:5000' is not a coordinator address; allowed: http://HOST:PORT or https://HOST:PORT")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1,ftp://b:2" }, "--coordinator 'ftp://b:2' is not a coordinator address")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--peer-port", "70000" }, "--peer-port '70000' is out of range; allowed: an integer in [1, 65535]")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--capacity", "0" }, "--capacity '0' is out of range; allowed: an integer in [1, 64]")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--capacity", "two" }, "--capacity")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--worker-id", "w/1" }, "--worker-id 'w/1' holds '/'; allowed: 1 to 128 letters, digits, '.', '-', '_'")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--device", "tpu" }, "--device 'tpu' is not a device; allowed: auto, cpu, cuda or cuda:N (N a CUDA device index >= 0)")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--device", "cuda:1" }, "--device: run.device: 'cuda:1' cannot be used: the loaded libtorch has no CUDA support")]
    [InlineData(new[] { "join", "--coordinator", "http://a:1", "--slots", "2" }, "'--slots'")]
    public void BadOption_ExitsTwoNamingIt(string[] args, string message)
    {
        using var worker = new WorkerProcess(new Dictionary<string, string> { ["ASL_WORKER_TOKEN"] = "t" }, args);
        Assert.Equal(2, worker.WaitForExit(Limit));
        Assert.Contains(message, worker.Error);
    }

    [Fact]
    public void NoToken_ExitsTwoNamingTheFileOptionAndTheVariable()
    {
        using var worker = new WorkerProcess(NoToken, "join", "--coordinator", "http://127.0.0.1:1");
        Assert.Equal(2, worker.WaitForExit(Limit));
        Assert.Contains("no worker token: pass --token-file FILE or set ASL_WORKER_TOKEN", worker.Error);
    }

    [Fact]
    public void EmptyOrMissingTokenFile_ExitsTwoNamingTheFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"asl-token-{Guid.NewGuid():N}");
        File.WriteAllText(file, "\n");
        try
        {
            using (var empty = new WorkerProcess(NoToken, "join", "--coordinator", "http://127.0.0.1:1", "--token-file", file))
            {
                Assert.Equal(2, empty.WaitForExit(Limit));
                Assert.Contains($"--token-file '{file}' is empty", empty.Error);
            }
            using var missing = new WorkerProcess(NoToken, "join", "--coordinator", "http://127.0.0.1:1", "--token-file", file + ".absent");
            Assert.Equal(2, missing.WaitForExit(Limit));
            Assert.Contains($"--token-file '{file}.absent' cannot be read", missing.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task WrongToken_TheCoordinatorRefusesAndTheAgentExitsTwo()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        string file = Path.Combine(Path.GetTempPath(), $"asl-token-{Guid.NewGuid():N}");
        File.WriteAllText(file, "not-the-token\n");
        try
        {
            using var worker = new WorkerProcess(NoToken, "join", "--coordinator", server.Address.ToString(), "--token-file", file, "--worker-id", "w1");
            Assert.Equal(2, worker.WaitForExit(Limit));
            Assert.Contains($"coordinator {server.Address} refused this worker (Unauthenticated", worker.Error);
            Assert.Equal(1, hub.UnauthenticatedCalls);
            Assert.Empty(hub.Calls);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
