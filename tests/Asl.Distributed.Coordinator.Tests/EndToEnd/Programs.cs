using System.Diagnostics;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// The built programs: asl (src/Coordinator) and asl-worker (src/Worker/Host), found in this repository's build
/// outputs of the test's own configuration (the solution builds both before any test runs).
/// </summary>
internal static class Programs
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Asl.Distributed.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Asl.Distributed.sln) is not above " + AppContext.BaseDirectory);
    });

    /// <summary>Debug or Release, as this test assembly was built.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string Asl => Built(Path.Combine("src", "Coordinator"), "asl.dll");

    public static string Worker => Built(Path.Combine("src", "Worker", "Host"), "asl-worker.dll");

    /// <summary>Starts <c>dotnet exec <paramref name="dll"/></c> with the arguments in <paramref name="workingDirectory"/>.</summary>
    public static ProcessStartInfo Start(string dll, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    private static string Built(string project, string file)
    {
        string path = Path.Combine(Root.Value, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first", path);
    }
}
