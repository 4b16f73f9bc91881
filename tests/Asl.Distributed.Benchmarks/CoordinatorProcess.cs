using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// A real <c>asl serve</c> process (the Release build) on a folder, a free API port and a free silo port: started
/// with <c>dotnet exec asl.dll</c>, so the process id is the coordinator's own (for its CPU time). Its output is
/// drained and kept (a full pipe would stall it); the generated tokens are read from its folder.
/// </summary>
internal sealed class CoordinatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private CoordinatorProcess(Process process, string folder)
    {
        _process = process;
        Folder = folder;
    }

    public string Folder { get; }

    public int Pid => _process.Id;

    public string Url { get; private set; } = "";

    public string WorkerToken { get; private set; } = "";

    public string ClientToken { get; private set; } = "";

    /// <summary>Every output line so far (standard output and error).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return [.. _lines];
        }
    }

    /// <summary>
    /// Starts <c>asl serve --dir <paramref name="folder"/></c> with the heartbeat settings and waits until it listens.
    /// Throws naming the missing build when asl.dll is not there.
    /// </summary>
    public static async Task<CoordinatorProcess> StartAsync(string folder, double heartbeatIntervalSeconds, double heartbeatTimeoutSeconds)
    {
        string asl = ReleaseBuild.Asl;
        if (!File.Exists(asl))
            throw new FileNotFoundException($"{asl} is not built; run dotnet build -c Release src/Coordinator && dotnet build -c Release src/Worker/Host first", asl);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (string a in (string[])["exec", asl, "serve", "--dir", Path.Combine(folder, "coordinator"), "--port", "0",
            "--silo-port", FreePort().ToString(CultureInfo.InvariantCulture),
            "--heartbeat-interval-s", heartbeatIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            "--heartbeat-timeout-s", heartbeatTimeoutSeconds.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(a);
        var coordinator = new CoordinatorProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet"), Path.Combine(folder, "coordinator"));
        coordinator._process.OutputDataReceived += (_, e) => coordinator.Add(e.Data);
        coordinator._process.ErrorDataReceived += (_, e) => coordinator.Add(e.Data);
        coordinator._process.BeginOutputReadLine();
        coordinator._process.BeginErrorReadLine();
        var exited = coordinator._process.WaitForExitAsync();
        if (await Task.WhenAny(coordinator._listening.Task, exited) == exited)
            throw new InvalidOperationException($"asl serve exited (code {coordinator._process.ExitCode}) before listening:\n{string.Join('\n', coordinator.Lines)}");
        // "asl: coordinator listening on http://127.0.0.1:PORT (folder …)"
        coordinator.Url = (await coordinator._listening.Task).Split(' ')[4];
        coordinator.WorkerToken = File.ReadAllText(Path.Combine(coordinator.Folder, "worker.token")).Trim();
        coordinator.ClientToken = File.ReadAllText(Path.Combine(coordinator.Folder, "client.token")).Trim();
        return coordinator;
    }

    /// <summary>A channel to the API that sends <paramref name="token"/> on every call.</summary>
    public GrpcChannel Channel(string token)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(Url, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    /// <summary>The coordinator's CPU time so far (user + system).</summary>
    public TimeSpan CpuTime() => ProcessCpu.Of(Pid);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
            _lines.Add(line);
        if (line.Contains("coordinator listening on", StringComparison.Ordinal))
            _listening.TrySetResult(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
