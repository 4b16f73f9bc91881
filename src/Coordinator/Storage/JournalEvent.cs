namespace Asl.Distributed.Coordinator.Storage;

/// <summary>One event of a journal stream.</summary>
/// <param name="StreamId">The stream, e.g. a sweep's id.</param>
/// <param name="Sequence">Its place in the stream: 1, 2, 3, ... with no gaps.</param>
/// <param name="EventType">What kind of event the payload holds.</param>
/// <param name="Payload">The event, serialised by the caller.</param>
/// <param name="AppendedAt">When it was appended.</param>
public sealed record JournalEvent(string StreamId, long Sequence, string EventType, byte[] Payload, DateTimeOffset AppendedAt);
