namespace Asl.Distributed.Coordinator.Storage;

/// <summary>The SQLite primary result codes the store tells apart (https://sqlite.org/rescode.html).</summary>
internal static class SqliteCodes
{
    public const int Error = 1;
    public const int Perm = 3;
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoErr = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int Constraint = 19;
    public const int NotADb = 26;

    /// <summary>The reason a write failed, in words.</summary>
    public static string DescribeWriteFailure(int code) => code switch
    {
        Full => "the disk is full",
        IoErr => "an I/O error",
        ReadOnly => "the file is read-only",
        Perm => "no permission to write the file",
        Busy or Locked => "the file stayed locked by another writer past the busy timeout",
        Corrupt or NotADb => "the file is corrupted",
        CantOpen => "the file cannot be opened",
        Constraint => "a constraint stopped the write",
        _ => "SQLite refused the write",
    };
}
