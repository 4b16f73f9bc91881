namespace Asl.Distributed.Coordinator.Storage;

/// <summary>What was wrong with a store file that the store refused to open.</summary>
public enum StoreFileProblem
{
    /// <summary>The file is not a SQLite database (its header is missing or wrong).</summary>
    NotSqlite,

    /// <summary>A SQLite database that belongs to another application.</summary>
    ForeignApplication,

    /// <summary>A coordinator store whose pages fail SQLite's integrity check, or whose header cannot be read.</summary>
    Corrupted,

    /// <summary>A coordinator store written by a newer build, with a schema this build does not know.</summary>
    NewerSchema,

    /// <summary>The file or its folder cannot be opened, read or written (permissions, I/O errors, no WAL support).</summary>
    Inaccessible,
}
