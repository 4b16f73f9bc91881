using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// The layout of a coordinator store file: its identity (<c>PRAGMA application_id</c>), its schema version
/// (<c>PRAGMA user_version</c>) and the steps that bring a file from one version to the next.
/// </summary>
internal static class StoreSchema
{
    /// <summary>"ASLd" in ASCII: marks a SQLite file as a coordinator store, so that a file of another
    /// application is recognised before anything is written to it.</summary>
    public const int ApplicationId = 0x41534C64;

    /// <summary>The newest schema this build reads and writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>
    /// Step <c>i</c> takes a file from version <c>i</c> to <c>i + 1</c>. Steps are only ever appended: a file
    /// written by an older build is brought forward, one from a newer build is refused.
    /// </summary>
    private static readonly string[] _steps =
    [
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            state_name TEXT NOT NULL,
            grain_id   TEXT NOT NULL,
            grain_type TEXT NOT NULL,
            version    INTEGER NOT NULL,
            payload    BLOB,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (state_name, grain_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS grain_state_by_type ON grain_state (grain_type);
        CREATE TABLE IF NOT EXISTS journal (
            stream_id   TEXT NOT NULL,
            sequence    INTEGER NOT NULL,
            event_type  TEXT NOT NULL,
            payload     BLOB NOT NULL,
            appended_at TEXT NOT NULL,
            PRIMARY KEY (stream_id, sequence)
        ) WITHOUT ROWID;
        """,
    ];

    /// <summary>
    /// Brings the file from <paramref name="fromVersion"/> to <see cref="CurrentVersion"/> and stamps it as
    /// a coordinator store, inside the caller's transaction so that a kill half-way leaves the old file.
    /// </summary>
    public static void Upgrade(SqliteConnection connection, SqliteTransaction transaction, long fromVersion)
    {
        for (var version = fromVersion; version < CurrentVersion; version++)
        {
            Execute(connection, transaction, _steps[version]);
        }

        // Both pragmas write page 1 inside the open transaction, so they commit or roll back with the tables.
        Execute(connection, transaction, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {CurrentVersion};");
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
