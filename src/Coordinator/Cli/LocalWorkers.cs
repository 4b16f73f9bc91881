using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Asl.Distributed.Coordinator.Hosting;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// The worker agents of <c>asl sweep run --local-workers N</c>: N <c>asl-worker join</c> processes on this machine, each
/// logging to its own file under the coordinator's folder. They watch a pipe from this process (as the training
/// launcher's ranks do), so none outlives it even if it is killed; <see cref="Stop"/> ends them with SIGTERM, which
/// stops a running trial at its next safe point with its checkpoint intact.
/// </summary>
internal sealed partial class LocalWorkers : IDisposable
{
    /// <summary>Tells a worker process that it was launched and must watch its standard input (the launcher's contract).</summary>
    private const string LauncherPidVariable = "ASL_LAUNCHER_PID";
    private const int SigTerm = 15;

    private readonly List<Process> _processes = [];

    private LocalWorkers(IReadOnlyList<string> logFiles) => LogFiles = logFiles;

    public IReadOnlyList<string> LogFiles { get; }

    public IReadOnlyList<Process> Processes => _processes;

    /// <summary>Starts <paramref name="count"/> agents of the coordinator at <paramref name="url"/>.</summary>
    public static LocalWorkers Start(WorkerCommand worker, int count, string url, string workerToken, string directory)
    {
        string logs = Path.Combine(directory, "workers");
        Directory.CreateDirectory(logs);
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(logs, $"local-{i}.log")).ToList();
        var workers = new LocalWorkers(files);
        for (int i = 0; i < count; i++)
        {
            var start = worker.StartInfo();
            foreach (var argument in (string[])["join", "--coordinator", url, "--worker-id", $"local-{i}", "--peer-port",
                         LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture), "--advertise-host", "127.0.0.1"])
                start.ArgumentList.Add(argument);
            start.Environment[TokenFiles.WorkerVariable] = workerToken;
            start.Environment[LauncherPidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            start.RedirectStandardInput = true;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.UseShellExecute = false;
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
            var log = new StreamWriter(files[i], append: true) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => Write(log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(log, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            workers._processes.Add(process);
        }
        return workers;
    }

    /// <summary>SIGTERM to every agent, then waits up to <paramref name="grace"/> before killing the ones still there.</summary>
    public async Task Stop(TimeSpan grace)
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
            _ = kill(process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        foreach (var process in _processes)
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
            log.WriteLine(line);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
