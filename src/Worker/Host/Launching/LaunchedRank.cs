using System.Diagnostics;

namespace Asl.Distributed.Worker.Launching;

/// <summary>One rank started by <see cref="LocalLauncher"/>: its process, the tasks that copy its output lines, and
/// the pipe on its standard input that it watches (<see cref="LauncherWatch"/>).</summary>
internal sealed class LaunchedRank
{
    public LaunchedRank(int index, Process process, TextWriter output, TextWriter error, object gate)
    {
        Index = index;
        Process = process;
        string prefix = $"[rank {index}] ";
        Pumps =
        [
            Task.Run(() => PumpAsync(process.StandardOutput, output, index == 0 ? "" : prefix, gate)),
            Task.Run(() => PumpAsync(process.StandardError, error, prefix, gate)),
        ];
        Exited = process.WaitForExitAsync();
    }

    public int Index { get; }

    public Process Process { get; }

    public Task[] Pumps { get; }

    public Task Exited { get; }

    public string Name => $"rank {Index} (pid {Process.Id})";

    public RankOutcome Outcome(bool killedByLauncher = false) => new(Index, Process.Id, Process.ExitCode, killedByLauncher);

    private static async Task PumpAsync(StreamReader reader, TextWriter target, string prefix, object gate)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (gate)
                    target.WriteLine(prefix + line);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the pipe was closed under us after the rank ended
        }
    }
}
