namespace Asl.Distributed.Coordinator.Storage;

/// <summary>The outcome of a write that was made only if the stored version was the expected one.</summary>
/// <param name="Succeeded">True when the version matched and the write was made.</param>
/// <param name="Version">
/// After success, the version the record now has (null when a clear found no record); after a refusal, the
/// version found in the file (null when there is no record).
/// </param>
public readonly record struct ConditionalWriteResult(bool Succeeded, long? Version);
