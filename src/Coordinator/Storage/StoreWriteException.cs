namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// A write that SQLite refused (disk full, I/O error, a read-only or locked file). The write's transaction was
/// rolled back, so everything stored before it is still there and readable.
/// </summary>
public sealed class StoreWriteException : Exception
{
    /// <summary>Creates the error for a failed <paramref name="operation"/> on <paramref name="path"/>.</summary>
    public StoreWriteException(string path, string operation, int sqliteErrorCode, string reason, Exception innerException)
        : base($"coordinator store '{path}': {operation} failed and was rolled back: {reason} (SQLite error {sqliteErrorCode}: {innerException.Message})", innerException)
    {
        Path = path;
        Operation = operation;
        SqliteErrorCode = sqliteErrorCode;
    }

    /// <summary>The full path of the store file.</summary>
    public string Path { get; }

    /// <summary>What was being written, e.g. <c>write state 'trial' of grain 'trial/7'</c>.</summary>
    public string Operation { get; }

    /// <summary>SQLite's primary result code (13 = SQLITE_FULL, 10 = SQLITE_IOERR, ...).</summary>
    public int SqliteErrorCode { get; }

    /// <summary>True when the disk (or the file's size limit) was full.</summary>
    public bool IsDiskFull => SqliteErrorCode == SqliteCodes.Full;
}
