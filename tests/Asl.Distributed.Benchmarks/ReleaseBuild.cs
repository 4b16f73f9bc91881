namespace Asl.Distributed.Benchmarks;

/// <summary>
/// The Release builds of this repository's programs (asl, asl-worker) that the process benchmarks start, found from
/// the benchmark's own output folder upwards.
/// </summary>
internal static class ReleaseBuild
{
    /// <summary>src/Coordinator's asl.dll in its Release output.</summary>
    public static string Asl => Path.Combine(RepositoryRoot(), "src", "Coordinator", "bin", "Release", "net10.0", "asl.dll");

    /// <summary>The folder that holds Asl.Distributed.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Asl.Distributed.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Asl.Distributed.sln) is not above " + AppContext.BaseDirectory);
    }
}
