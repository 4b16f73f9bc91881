using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// Looks at an existing store file through a read-only connection and refuses it when it is not a coordinator
/// store this build can use. Nothing here writes to the file, so a refused file keeps every byte.
/// </summary>
internal static class StoreFileInspector
{
    private static readonly byte[] _sqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>The smallest page size SQLite writes; a file with the header but shorter than this is truncated.</summary>
    private const int MinimumPageSize = 512;

    /// <summary>
    /// Returns normally when <paramref name="path"/> is missing, empty, or a coordinator store of this or an
    /// older schema; throws <see cref="StoreFileException"/> otherwise.
    /// </summary>
    public static void Check(string path)
    {
        if (Directory.Exists(path))
        {
            throw new StoreFileException(path, StoreFileProblem.Inaccessible, "the path is a folder, not a file");
        }

        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0)
        {
            return;
        }

        CheckHeader(path, file.Length);
        CheckContent(path);
    }

    private static void CheckHeader(string path, long length)
    {
        var head = new byte[_sqliteHeader.Length];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreFileException(path, StoreFileProblem.Inaccessible, $"the file cannot be read ({e.Message})", e);
        }

        if (read < head.Length || !head.AsSpan().SequenceEqual(_sqliteHeader))
        {
            throw new StoreFileException(path, StoreFileProblem.NotSqlite,
                $"the file is {length} bytes long and begins with {Hex(head.AsSpan(0, read))}, not with the SQLite header \"SQLite format 3\"");
        }

        if (length < MinimumPageSize)
        {
            throw new StoreFileException(path, StoreFileProblem.Corrupted,
                $"the file has the SQLite header but is only {length} bytes long (a SQLite page is at least {MinimumPageSize})");
        }
    }

    private static void CheckContent(string path)
    {
        // Without a write-ahead log beside it the file is complete on its own: read it as immutable, so that
        // SQLite neither locks it nor creates -wal and -shm files next to a file it may have to refuse. With
        // a log (a store whose process was killed) the log holds committed pages and must be read too.
        var hasLog = File.Exists(path + "-wal");
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = hasLog ? path : new Uri(path).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            var identity = StoreIdentity.Read(connection, transaction: null);
            identity.ThrowIfUnusable(path);
            var problems = QuickCheck(connection);
            if (problems.Count > 0)
            {
                throw new StoreFileException(path, StoreFileProblem.Corrupted,
                    $"PRAGMA quick_check found {problems.Count} problem(s), first: {problems[0]}");
            }
        }
        catch (SqliteException e)
        {
            throw FromSqlite(path, e);
        }
    }

    /// <summary>Maps an error of SQLite while opening or reading a store file to the refusal it means.</summary>
    public static StoreFileException FromSqlite(string path, SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteCodes.NotADb or SqliteCodes.Corrupt => new StoreFileException(path, StoreFileProblem.Corrupted,
            $"SQLite cannot read it ({e.Message})", e),
        _ => new StoreFileException(path, StoreFileProblem.Inaccessible,
            $"SQLite cannot open it (error {e.SqliteErrorCode}: {e.Message})", e),
    };

    private static List<string> QuickCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        using var reader = command.ExecuteReader();
        var problems = new List<string>();
        while (reader.Read())
        {
            var line = reader.GetString(0);
            if (line != "ok")
            {
                problems.Add(line);
            }
        }

        return problems;
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "nothing";
        }

        var text = new StringBuilder("0x");
        foreach (var b in bytes[..Math.Min(bytes.Length, 8)])
        {
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
