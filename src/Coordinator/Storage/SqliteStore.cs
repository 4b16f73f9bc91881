using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// One coordinator store file: grain state and the event journal in a single SQLite database. Writes go
/// through one connection, one at a time, each in its own transaction; reads use separate pooled read-only
/// connections, which WAL lets run beside a write. A write that returns is on disk.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    private readonly SqliteConnection _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _readerConnectionString;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StoreWriteHold? _hold;
    private volatile bool _disposed;

    private SqliteStore(string path, SqliteConnection writer, string readerConnectionString, TimeProvider time, ILogger logger, StoreWriteHold? hold)
    {
        Path = path;
        _writer = writer;
        _readerConnectionString = readerConnectionString;
        _time = time;
        _logger = logger;
        _hold = hold;
        GrainStates = new GrainStateTable(this);
        Journal = new EventJournal(this);
    }

    /// <summary>The full path of the store file.</summary>
    public string Path { get; }

    /// <summary>The grain state records (what Orleans' grain storage reads and writes).</summary>
    public GrainStateTable GrainStates { get; }

    /// <summary>The append-only event streams.</summary>
    public EventJournal Journal { get; }

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating and initialising it when the file is missing or
    /// empty. A file that is not a usable coordinator store is refused with <see cref="StoreFileException"/>
    /// before anything is written to it.
    /// </summary>
    public static SqliteStore Open(string path, TimeSpan busyTimeout, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(busyTimeout, TimeSpan.Zero);
        var hold = StoreWriteHold.FromEnvironment();
        var fullPath = System.IO.Path.GetFullPath(path);
        StoreFileInspector.Check(fullPath);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(fullPath);
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreFileException(fullPath, StoreFileProblem.Inaccessible, $"its folder cannot be created ({e.Message})", e);
        }

        var timeoutSeconds = (int)Math.Ceiling(busyTimeout.TotalSeconds);
        var writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The writer lives as long as the store; closing it must really close the file so that SQLite
            // checkpoints the WAL back into the database.
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
        var readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        }.ToString();

        var writer = new SqliteConnection(writerConnectionString);
        try
        {
            writer.Open();
            var created = Prepare(writer, fullPath, busyTimeout);
            StorageLog.StoreOpened(logger, fullPath, created, StoreSchema.CurrentVersion);
            return new SqliteStore(fullPath, writer, readerConnectionString, time, logger, hold);
        }
        catch (SqliteException e)
        {
            writer.Dispose();
            throw StoreFileInspector.FromSqlite(fullPath, e);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Sets the writer's pragmas and initialises or upgrades the schema; true when the file was new.</summary>
    private static bool Prepare(SqliteConnection writer, string path, TimeSpan busyTimeout)
    {
        Execute(writer, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
        // WAL: readers never wait for the writer, and a commit appends to the log instead of rewriting pages
        // in place, so a kill at any instant leaves either the old or the new transaction, never a torn one.
        var journalMode = Convert.ToString(Scalar(writer, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreFileException(path, StoreFileProblem.Inaccessible,
                $"SQLite cannot use write-ahead logging here (journal_mode stayed '{journalMode}'); the folder must be on a local file system");
        }

        // FULL, not NORMAL: in WAL mode NORMAL already survives a killed process, but it syncs only at
        // checkpoints, so a power cut or kernel crash can drop the last acknowledged commits. FULL syncs the
        // log on every commit: a write Orleans was told succeeded (a trial's transition) is never taken back.
        Execute(writer, "PRAGMA synchronous = FULL");

        // Checked again under the write lock: another process may have initialised the file since the
        // read-only inspection.
        using var transaction = writer.BeginTransaction();
        var identity = StoreIdentity.Read(writer, transaction);
        identity.ThrowIfUnusable(path);
        if (identity.NeedsUpgrade)
        {
            StoreSchema.Upgrade(writer, transaction, identity.SchemaVersion);
        }

        transaction.Commit();
        return identity.IsEmpty;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction (BEGIN IMMEDIATE: the write lock is held before
    /// anything is read, so a version compared is the version replaced) and commits it. Any SQLite error
    /// rolls the transaction back and surfaces as <see cref="StoreWriteException"/>. Cancellation is honoured
    /// while the write waits for its turn; a write that has started runs to its end.
    /// </summary>
    internal async Task<T> WriteAsync<T>(string operation, Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // SQLite's calls block (a commit waits for fsync); keep them off the caller's scheduler, which
            // for a grain is the silo's shared one.
            return await Task.Run(() => WriteNow(operation, work), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private T WriteNow<T>(string operation, Func<SqliteConnection, SqliteTransaction, T> work)
    {
        try
        {
            using var transaction = _writer.BeginTransaction();
            var result = work(_writer, transaction);
            _hold?.BeforeCommit(Path, operation);
            transaction.Commit();
            _hold?.AfterCommit(Path, operation);
            return result;
        }
        catch (SqliteException e)
        {
            var reason = SqliteCodes.DescribeWriteFailure(e.SqliteErrorCode);
            StorageLog.WriteFailed(_logger, e, Path, operation, reason);
            throw new StoreWriteException(Path, operation, e.SqliteErrorCode, reason, e);
        }
    }

    /// <summary>Runs <paramref name="work"/> on a read-only connection of its own.</summary>
    internal Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Task.Run(() =>
        {
            using var connection = new SqliteConnection(_readerConnectionString);
            connection.Open();
            return work(connection);
        }, cancellationToken);
    }

    /// <summary>The current time, for the records' time stamps.</summary>
    internal string Now() => _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// Caps the file at <paramref name="pages"/> pages for the writer (PRAGMA max_page_count). A test seam: a
    /// full disk cannot be made on demand, and a write past the cap fails with the same SQLITE_FULL.
    /// </summary>
    internal Task<long> SetMaxPageCountAsync(long pages, CancellationToken cancellationToken) =>
        WriteAsync("set max_page_count", (connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"PRAGMA max_page_count = {pages}";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken);

    /// <summary>Waits for the write in progress, then closes the file (SQLite checkpoints the WAL on close).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _writeGate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            using (var reader = new SqliteConnection(_readerConnectionString))
            {
                SqliteConnection.ClearPool(reader);
            }

            _writer.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
