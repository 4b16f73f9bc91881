namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>The repository's root folder, found above the test's output folder.</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Asl.Distributed.sln")))
                return folder.FullName;
        }
        throw new InvalidOperationException("the repository root (Asl.Distributed.sln) is not above the test's folder");
    }
}
