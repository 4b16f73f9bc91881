using System.Diagnostics;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// How to start <c>asl-worker</c> from <c>asl</c>: the coordinator never references the worker (it carries no
/// TorchSharp), so the worker is found as a program: --worker-command, else $ASL_WORKER, else an asl-worker beside
/// this program (an image or a publish folder holds both), else this repository's build of it (src/Worker/Host's
/// output of the same configuration), so that <c>dotnet run --project src/Coordinator</c> works after a build.
/// </summary>
internal sealed record WorkerCommand(string Path)
{
    public const string Variable = "ASL_WORKER";

    /// <summary>The worker program, or null with the places looked at in <paramref name="searched"/>.</summary>
    public static WorkerCommand? Find(string? given, out IReadOnlyList<string> searched)
    {
        var candidates = new List<string>();
        if (given is not null)
            candidates.Add(given);
        else
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } variable)
                candidates.Add(variable);
            string here = AppContext.BaseDirectory;
            candidates.Add(System.IO.Path.Combine(here, "asl-worker.dll"));
            // src/Coordinator/bin/<configuration>/net10.0/ → src/Worker/Host/bin/<configuration>/net10.0/
            var framework = new DirectoryInfo(here);
            if (framework.Parent?.Parent?.Parent is { Name: "Coordinator" } coordinator && coordinator.Parent is { } src)
                candidates.Add(System.IO.Path.Combine(src.FullName, "Worker", "Host", "bin", framework.Parent.Name, framework.Name, "asl-worker.dll"));
        }
        searched = candidates;
        return candidates.FirstOrDefault(File.Exists) is { } found ? new WorkerCommand(System.IO.Path.GetFullPath(found)) : null;
    }

    /// <summary>A start of the worker: a .dll through the running dotnet host, anything else as a program.</summary>
    public ProcessStartInfo StartInfo()
    {
        if (!Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            return new ProcessStartInfo(Path);
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet");
        if (!System.IO.Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet").Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.FileName = "dotnet";
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path);
        return start;
    }
}
