using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// Append-only event streams in the store file. Each stream numbers its events 1, 2, 3, ... without gaps; an
/// append is on disk when it returns, so a reader that resumes after the last sequence it saw misses nothing.
/// Safe for concurrent callers: appends are serialised on the store's writer, reads run beside them.
/// </summary>
public sealed class EventJournal
{
    private readonly SqliteStore _store;

    internal EventJournal(SqliteStore store) => _store = store;

    /// <summary>Appends an event to <paramref name="streamId"/> and returns its sequence number.</summary>
    public Task<long> AppendAsync(string streamId, string eventType, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        var bytes = payload.ToArray();
        return _store.WriteAsync($"append '{eventType}' to journal stream '{streamId}'", (connection, transaction) =>
        {
            // The next number is read under the write lock, so two appends can never take the same one.
            var sequence = LastSequence(connection, transaction, streamId) + 1;
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO journal (stream_id, sequence, event_type, payload, appended_at)
                VALUES ($stream, $sequence, $type, $payload, $now)
                """;
            command.Parameters.AddWithValue("$stream", streamId);
            command.Parameters.AddWithValue("$sequence", sequence);
            command.Parameters.AddWithValue("$type", eventType);
            command.Parameters.Add("$payload", SqliteType.Blob).Value = bytes;
            command.Parameters.AddWithValue("$now", _store.Now());
            command.ExecuteNonQuery();
            return sequence;
        }, cancellationToken);
    }

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> events of <paramref name="streamId"/> whose sequence is above
    /// <paramref name="afterSequence"/> (0: from the start), in order.
    /// </summary>
    public Task<IReadOnlyList<JournalEvent>> ReadAsync(string streamId, long afterSequence, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return _store.ReadAsync<IReadOnlyList<JournalEvent>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT sequence, event_type, payload, appended_at FROM journal
                WHERE stream_id = $stream AND sequence > $after
                ORDER BY sequence LIMIT $max
                """;
            command.Parameters.AddWithValue("$stream", streamId);
            command.Parameters.AddWithValue("$after", afterSequence);
            command.Parameters.AddWithValue("$max", maxCount);
            using var reader = command.ExecuteReader();
            var events = new List<JournalEvent>();
            while (reader.Read())
            {
                events.Add(new JournalEvent(
                    streamId,
                    reader.GetInt64(0),
                    reader.GetString(1),
                    (byte[])reader.GetValue(2),
                    DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
            }

            return events;
        }, cancellationToken);
    }

    /// <summary>The sequence number of the last event of <paramref name="streamId"/>, or 0 for an empty stream.</summary>
    public Task<long> LastSequenceAsync(string streamId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        return _store.ReadAsync(connection => LastSequence(connection, null, streamId), cancellationToken);
    }

    private static long LastSequence(SqliteConnection connection, SqliteTransaction? transaction, string streamId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM journal WHERE stream_id = $stream";
        command.Parameters.AddWithValue("$stream", streamId);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
