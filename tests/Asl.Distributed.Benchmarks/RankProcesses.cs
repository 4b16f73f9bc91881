using System.Diagnostics;
using System.Reflection;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Starts ranks of a benchmark as separate processes of this executable (as torchrun would), each with
/// <c>--rank r --peers 127.0.0.1:p0,...</c> appended and a job secret in ASL_JOB_SECRET, and returns their output.
/// </summary>
internal static class RankProcesses
{
    public const string SecretVariable = "ASL_JOB_SECRET";

    /// <summary>Runs <paramref name="world"/> ranks of <paramref name="command"/> and returns each rank's standard output; throws if one fails.</summary>
    public static string[] Run(string command, int world, IEnumerable<string> args, TimeSpan limit)
    {
        var peers = LoopbackPorts.Peers(world);
        string secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var processes = new List<(Process Process, Task<string> Output, Task<string> Error)>();
        string host = Environment.ProcessPath!;
        bool dotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        try
        {
            for (int rank = 0; rank < world; rank++)
            {
                var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
                if (dotnet)
                    start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
                start.ArgumentList.Add(command);
                foreach (string arg in args)
                    start.ArgumentList.Add(arg);
                start.ArgumentList.Add("--rank");
                start.ArgumentList.Add($"{rank}");
                start.ArgumentList.Add("--peers");
                start.ArgumentList.Add(string.Join(',', peers));
                start.Environment[SecretVariable] = secret;
                var process = Process.Start(start)!;
                processes.Add((process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()));
            }
            foreach (var (process, _, error) in processes)
            {
                if (!process.WaitForExit(limit))
                    throw new TimeoutException($"a rank of {command} did not finish within {limit}");
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"a rank of {command} exited {process.ExitCode}: {error.Result}");
            }
            return processes.Select(p => p.Output.Result).ToArray();
        }
        finally
        {
            foreach (var (process, _, _) in processes)
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                process.Dispose();
            }
        }
    }
}
