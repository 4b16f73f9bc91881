using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>A fresh folder under the system's temp folder, deleted with everything in it at dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "asl-coordinator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> in the folder.</summary>
    public string File(string name = "coordinator.db") => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the files in the folder, sorted.</summary>
    public string[] FileNames() =>
        [.. Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Deletes the folder (idle pooled SQLite connections are closed first so no handle keeps a file).</summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
