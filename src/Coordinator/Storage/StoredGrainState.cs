namespace Asl.Distributed.Coordinator.Storage;

/// <summary>One grain state record as stored: a cleared record keeps its version and has no payload.</summary>
/// <param name="StateName">The name of the state (a grain may keep several).</param>
/// <param name="GrainId">The grain's id, e.g. <c>trial/sweep-1.7</c>.</param>
/// <param name="GrainType">The grain's type, e.g. <c>trial</c>.</param>
/// <param name="Version">The record's version, raised by every write and clear; Orleans' ETag.</param>
/// <param name="Payload">The serialised state, or null once the state was cleared.</param>
/// <param name="UpdatedAt">When the record was last written.</param>
public sealed record StoredGrainState(string StateName, string GrainId, string GrainType, long Version, byte[]? Payload, DateTimeOffset UpdatedAt)
{
    /// <summary>True when the state was cleared: the record remains, so its version keeps counting.</summary>
    public bool IsCleared => Payload is null;
}
