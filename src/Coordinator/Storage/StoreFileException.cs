namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// A store file that cannot be used: not SQLite, another application's database, corrupted, of a newer schema
/// or inaccessible. Thrown before anything in the file is written, so the file is left as it was found.
/// </summary>
public sealed class StoreFileException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public StoreFileException(string path, StoreFileProblem problem, string finding, Exception? innerException = null)
        : base($"coordinator store '{path}' cannot be used: {Describe(problem)}: {finding}. The file was left unchanged.", innerException)
    {
        Path = path;
        Problem = problem;
        Finding = finding;
    }

    /// <summary>The full path of the store file.</summary>
    public string Path { get; }

    /// <summary>The kind of problem.</summary>
    public StoreFileProblem Problem { get; }

    /// <summary>What was found in the file, in words.</summary>
    public string Finding { get; }

    private static string Describe(StoreFileProblem problem) => problem switch
    {
        StoreFileProblem.NotSqlite => "not a SQLite database",
        StoreFileProblem.ForeignApplication => "a SQLite database of another application",
        StoreFileProblem.Corrupted => "corrupted",
        StoreFileProblem.NewerSchema => "written by a newer version",
        StoreFileProblem.Inaccessible => "inaccessible",
        _ => problem.ToString(),
    };
}
