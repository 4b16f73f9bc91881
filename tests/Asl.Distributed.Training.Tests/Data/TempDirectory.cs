namespace Asl.Distributed.Training.Tests.Data;

/// <summary>A directory under the system temp folder, created for one test and deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("asl-data-tests-").FullName;

    public string Path { get; }

    /// <summary>Writes a text file at a path relative to the directory, creating folders on the way.</summary>
    public string Write(string relativePath, string content)
    {
        string full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string Combine(string relativePath) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, relativePath));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere must not fail the test that owned the folder.
        }
    }
}
