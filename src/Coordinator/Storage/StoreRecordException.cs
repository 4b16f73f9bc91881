namespace Asl.Distributed.Coordinator.Storage;

/// <summary>A stored grain state whose payload the configured serializer cannot turn back into the state type.</summary>
public sealed class StoreRecordException : Exception
{
    /// <summary>Creates the error for state <paramref name="stateName"/> of grain <paramref name="grainId"/>.</summary>
    public StoreRecordException(string path, string stateName, string grainId, string etag, Type stateType, Exception innerException)
        : base($"coordinator store '{path}': state '{stateName}' of grain '{grainId}' (ETag {etag}) cannot be read as {stateType.FullName}: {innerException.Message}", innerException)
    {
        Path = path;
        StateName = stateName;
        GrainId = grainId;
        ETag = etag;
    }

    /// <summary>The full path of the store file.</summary>
    public string Path { get; }

    /// <summary>The state's name.</summary>
    public string StateName { get; }

    /// <summary>The grain's id.</summary>
    public string GrainId { get; }

    /// <summary>The record's ETag.</summary>
    public string ETag { get; }
}
