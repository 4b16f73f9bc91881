using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// What a SQLite file says about itself: its application id, its schema version and the names of what it
/// holds. Decides whether the file is a coordinator store, an empty database, or something to leave alone.
/// </summary>
internal readonly record struct StoreIdentity(int ApplicationId, long SchemaVersion, IReadOnlyList<string> Objects)
{
    /// <summary>A database with no id, no version and no tables: a new file that the store may claim.</summary>
    public bool IsEmpty => ApplicationId == 0 && SchemaVersion == 0 && Objects.Count == 0;

    /// <summary>True when the file is empty or a coordinator store older than this build's schema.</summary>
    public bool NeedsUpgrade => IsEmpty || (ApplicationId == StoreSchema.ApplicationId && SchemaVersion < StoreSchema.CurrentVersion);

    /// <summary>Reads the identity of the database open on <paramref name="connection"/>.</summary>
    public static StoreIdentity Read(SqliteConnection connection, SqliteTransaction? transaction)
    {
        var applicationId = (int)Scalar(connection, transaction, "PRAGMA application_id");
        var schemaVersion = Scalar(connection, transaction, "PRAGMA user_version");
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT name FROM sqlite_schema ORDER BY name";
        using var reader = command.ExecuteReader();
        var objects = new List<string>();
        while (reader.Read())
        {
            objects.Add(reader.GetString(0));
        }

        return new StoreIdentity(applicationId, schemaVersion, objects);
    }

    /// <summary>Throws <see cref="StoreFileException"/> unless the file is empty or a store this build can use.</summary>
    public void ThrowIfUnusable(string path)
    {
        if (ApplicationId == StoreSchema.ApplicationId)
        {
            if (SchemaVersion > StoreSchema.CurrentVersion)
            {
                throw new StoreFileException(path, StoreFileProblem.NewerSchema,
                    $"its schema version is {SchemaVersion}; this build reads versions up to {StoreSchema.CurrentVersion}");
            }

            return;
        }

        if (IsEmpty)
        {
            return;
        }

        if (ApplicationId != 0)
        {
            throw new StoreFileException(path, StoreFileProblem.ForeignApplication,
                $"its application_id is {Hex(ApplicationId)}; a coordinator store has {Hex(StoreSchema.ApplicationId)} (\"ASLd\")");
        }

        var what = Objects.Count == 0
            ? $"user_version {SchemaVersion}"
            : $"{Objects.Count} table(s) or index(es) ({string.Join(", ", Objects.Take(5))}{(Objects.Count > 5 ? ", ..." : "")})";
        throw new StoreFileException(path, StoreFileProblem.ForeignApplication,
            $"it has no application_id but holds {what}; a coordinator store has application_id {Hex(StoreSchema.ApplicationId)} (\"ASLd\")");
    }

    private static long Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static string Hex(int value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);
}
