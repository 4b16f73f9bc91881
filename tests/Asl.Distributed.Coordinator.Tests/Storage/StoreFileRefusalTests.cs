using Asl.Distributed.Coordinator.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// Files the store must refuse: each refusal names the path and what was found, and leaves every byte of
/// the file as it was and no file beside it.
/// </summary>
public sealed class StoreFileRefusalTests : IDisposable
{
    private const int PageSize = 4096;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Open_GarbageBytes_RefusesAsNotSqlite()
    {
        var bytes = new byte[3 * PageSize];
        new Random(7).NextBytes(bytes);
        var error = AssertRefusedUnchanged(bytes, StoreFileProblem.NotSqlite);
        Assert.Contains($"{bytes.Length} bytes", error.Finding);
    }

    [Fact]
    public void Open_ShortTextFile_RefusesAsNotSqlite()
    {
        var error = AssertRefusedUnchanged("name: sweep\n"u8.ToArray(), StoreFileProblem.NotSqlite);
        Assert.Contains("0x6e616d653a207377", error.Finding);
    }

    [Fact]
    public void Open_SqliteHeaderOnly_RefusesAsCorrupted()
    {
        var bytes = "SQLite format 3\0"u8.ToArray().Concat(new byte[84]).ToArray();
        var error = AssertRefusedUnchanged(bytes, StoreFileProblem.Corrupted);
        Assert.Contains("100 bytes", error.Finding);
    }

    [Fact]
    public void Open_OtherApplicationsTables_RefusesAsForeign()
    {
        var path = _folder.File();
        using (var connection = Stores.Raw(path))
        {
            Stores.Execute(connection, "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ada');");
        }

        var error = AssertRefusedUnchanged(File.ReadAllBytes(path), StoreFileProblem.ForeignApplication);
        Assert.Contains("users", error.Finding);
    }

    [Fact]
    public void Open_OtherApplicationId_RefusesAsForeign()
    {
        var path = _folder.File();
        using (var connection = Stores.Raw(path))
        {
            Stores.Execute(connection, "PRAGMA application_id = 305419896");
        }

        var error = AssertRefusedUnchanged(File.ReadAllBytes(path), StoreFileProblem.ForeignApplication);
        Assert.Contains("0x12345678", error.Finding);
    }

    [Fact]
    public async Task Open_NewerSchemaVersion_RefusesAsNewerSchema()
    {
        var path = _folder.File();
        using (var store = Stores.Open(path))
        {
            await store.GrainStates.WriteAsync("s", "g/1", "g", null, new byte[] { 1 });
        }

        using (var connection = Stores.Raw(path))
        {
            Stores.Execute(connection, "PRAGMA user_version = 2");
        }

        var error = AssertRefusedUnchanged(File.ReadAllBytes(path), StoreFileProblem.NewerSchema);
        Assert.Contains("schema version is 2", error.Finding);
    }

    [Fact]
    public async Task Open_PageOverwrittenWithGarbage_RefusesAsCorrupted()
    {
        var path = _folder.File();
        using (var store = Stores.Open(path))
        {
            for (var i = 0; i < 200; i++)
            {
                await store.GrainStates.WriteAsync("s", $"g/{i}", "g", null, new byte[1000]);
            }
        }

        var bytes = File.ReadAllBytes(path);
        var pages = bytes.Length / PageSize;
        Assert.True(pages > 20, $"the store has {pages} pages");
        // A page in the middle of the grain_state tree: page 1 (the schema) stays readable, so it is the
        // integrity check, not the identity check, that must find the damage.
        bytes.AsSpan((pages / 2) * PageSize, PageSize).Fill(0xA5);
        var error = AssertRefusedUnchanged(bytes, StoreFileProblem.Corrupted);
        Assert.Contains("quick_check", error.Finding);
    }

    [Fact]
    public void Open_PathIsAFolder_RefusesAsInaccessible()
    {
        var path = _folder.File("store.db");
        Directory.CreateDirectory(path);
        var error = Assert.Throws<StoreFileException>(() => Stores.Open(path));
        Assert.Equal(StoreFileProblem.Inaccessible, error.Problem);
        Assert.Empty(Directory.EnumerateFileSystemEntries(path));
    }

    [Fact]
    public void Open_RefusedFileMadeGood_OpensOnTheNextTry()
    {
        var path = _folder.File();
        File.WriteAllBytes(path, "not a database"u8.ToArray());
        using var catalog = new SqliteStoreCatalog(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var options = new SqliteStoreOptions { FilePath = path };
        Assert.Throws<StoreFileException>(() => catalog.Open(options));

        File.Delete(path);
        Assert.Equal(path, catalog.Open(options).Path);
    }

    /// <summary>Writes <paramref name="bytes"/> as the store file, opens it, and checks the refusal and the file.</summary>
    private StoreFileException AssertRefusedUnchanged(byte[] bytes, StoreFileProblem expected)
    {
        var path = _folder.File();
        File.WriteAllBytes(path, bytes);
        var filesBefore = _folder.FileNames();

        var error = Assert.Throws<StoreFileException>(() => Stores.Open(path));

        Assert.Equal(expected, error.Problem);
        Assert.Equal(path, error.Path);
        Assert.Contains(path, error.Message);
        Assert.Contains(error.Finding, error.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(filesBefore, _folder.FileNames());
        return error;
    }
}
