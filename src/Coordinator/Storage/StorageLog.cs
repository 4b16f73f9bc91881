using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>The storage layer's log messages.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information,
        Message = "Coordinator store {Path} opened (new file: {Created}, schema version {SchemaVersion})")]
    public static partial void StoreOpened(ILogger logger, string path, bool created, int schemaVersion);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error,
        Message = "Coordinator store {Path}: {Operation} failed and was rolled back: {Reason}")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string path, string operation, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning,
        Message = "Grain storage {Provider}: {Operation} of state {StateName} of grain {GrainId} refused: the file holds ETag {StoredETag}, the grain {GrainETag}")]
    public static partial void ETagConflict(ILogger logger, string provider, string operation, string stateName, string grainId, string? storedETag, string? grainETag);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error,
        Message = "Grain storage {Provider}: state {StateName} of grain {GrainId} (ETag {ETag}) cannot be deserialised")]
    public static partial void ReadFailed(ILogger logger, Exception exception, string provider, string stateName, string grainId, string? etag);
}
