using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// Grain state records with optimistic concurrency: every write and clear names the version it expects to
/// replace (null: no record yet) and is refused, changing nothing, when the file holds another.
/// </summary>
public sealed class GrainStateTable
{
    private readonly SqliteStore _store;

    internal GrainStateTable(SqliteStore store) => _store = store;

    /// <summary>Reads the record of state <paramref name="stateName"/> of grain <paramref name="grainId"/>, or null.</summary>
    public Task<StoredGrainState?> ReadAsync(string stateName, string grainId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentException.ThrowIfNullOrEmpty(grainId);
        return _store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT grain_type, version, payload, updated_at FROM grain_state
                WHERE state_name = $state AND grain_id = $grain
                """;
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return new StoredGrainState(
                stateName,
                grainId,
                reader.GetString(0),
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }, cancellationToken);
    }

    /// <summary>
    /// Stores <paramref name="payload"/> as the state if the record's version is <paramref name="expectedVersion"/>
    /// (null: only if there is no record); the new version is one more than the old (1 for a new record).
    /// </summary>
    public Task<ConditionalWriteResult> WriteAsync(string stateName, string grainId, string grainType, long? expectedVersion,
        ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentException.ThrowIfNullOrEmpty(grainId);
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        var bytes = payload.ToArray();
        return _store.WriteAsync($"write state '{stateName}' of grain '{grainId}'", (connection, transaction) =>
        {
            var stored = StoredVersion(connection, transaction, stateName, grainId);
            if (stored != expectedVersion)
            {
                return new ConditionalWriteResult(false, stored);
            }

            var version = (stored ?? 0) + 1;
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO grain_state (state_name, grain_id, grain_type, version, payload, updated_at)
                VALUES ($state, $grain, $type, $version, $payload, $now)
                ON CONFLICT (state_name, grain_id) DO UPDATE SET
                    grain_type = excluded.grain_type, version = excluded.version,
                    payload = excluded.payload, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId);
            command.Parameters.AddWithValue("$type", grainType);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.Add("$payload", SqliteType.Blob).Value = bytes;
            command.Parameters.AddWithValue("$now", _store.Now());
            command.ExecuteNonQuery();
            return new ConditionalWriteResult(true, version);
        }, cancellationToken);
    }

    /// <summary>
    /// Clears the state if the record's version is <paramref name="expectedVersion"/>: the payload goes, the
    /// record stays with a raised version, so that a grain still holding the old ETag cannot write over the
    /// clear. With no record and a null expectation there is nothing to clear and nothing is written.
    /// </summary>
    public Task<ConditionalWriteResult> ClearAsync(string stateName, string grainId, long? expectedVersion,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentException.ThrowIfNullOrEmpty(grainId);
        return _store.WriteAsync($"clear state '{stateName}' of grain '{grainId}'", (connection, transaction) =>
        {
            var stored = StoredVersion(connection, transaction, stateName, grainId);
            if (stored != expectedVersion)
            {
                return new ConditionalWriteResult(false, stored);
            }

            if (stored is null)
            {
                return new ConditionalWriteResult(true, null);
            }

            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE grain_state SET version = version + 1, payload = NULL, updated_at = $now
                WHERE state_name = $state AND grain_id = $grain
                """;
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId);
            command.Parameters.AddWithValue("$now", _store.Now());
            command.ExecuteNonQuery();
            return new ConditionalWriteResult(true, stored + 1);
        }, cancellationToken);
    }

    private static long? StoredVersion(SqliteConnection connection, SqliteTransaction transaction, string stateName, string grainId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM grain_state WHERE state_name = $state AND grain_id = $grain";
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId);
        return command.ExecuteScalar() is long version ? version : null;
    }
}
