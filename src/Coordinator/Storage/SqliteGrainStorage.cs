using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// Orleans grain storage in a coordinator store file. The ETag is the record's version number: a write or
/// clear whose ETag is not the stored one (null: no record) fails with <see cref="InconsistentStateException"/>
/// and changes nothing. A clear keeps the record without its payload and raises the version, so a stale
/// activation cannot write over it. The file is opened and checked when the silo starts.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly SqliteGrainStorageOptions _options;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly Lazy<SqliteStore> _store;

    /// <summary>Creates provider <paramref name="name"/>; the file opens at the silo's start or on first use.</summary>
    public SqliteGrainStorage(string name, SqliteGrainStorageOptions options, SqliteStoreCatalog catalog,
        IActivatorProvider activators, ILogger<SqliteGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        _name = name;
        _options = options;
        _activators = activators;
        _logger = logger;
        // PublicationOnly: a refused file is not remembered, so the next attempt looks at the file again.
        _store = new Lazy<SqliteStore>(() => catalog.Open(options), LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>The store this provider writes to (opened on first access).</summary>
    public SqliteStore Store => _store.Value;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{_name}", _options.InitStage, cancellationToken =>
        {
            _ = Store;
            return Task.CompletedTask;
        });

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var id = grainId.ToString();
        var record = await Store.GrainStates.ReadAsync(stateName, id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            Reset(grainState, etag: null);
            return;
        }

        var etag = record.Version.ToString(CultureInfo.InvariantCulture);
        if (record.Payload is null)
        {
            Reset(grainState, etag);
            return;
        }

        T? state;
        try
        {
            state = _options.GrainStorageSerializer.Deserialize<T>(new BinaryData(record.Payload));
        }
        catch (Exception e)
        {
            StorageLog.ReadFailed(_logger, e, _name, stateName, id, etag);
            throw new StoreRecordException(Store.Path, stateName, id, etag, typeof(T), e);
        }

        grainState.State = state ?? New<T>();
        grainState.ETag = etag;
        grainState.RecordExists = state is not null;
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var id = grainId.ToString();
        var payload = _options.GrainStorageSerializer.Serialize(grainState.State);
        var result = await Store.GrainStates.WriteAsync(stateName, id, grainId.Type.ToString()!, ExpectedVersion(grainState.ETag),
            payload.ToMemory(), cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(result, "Write", stateName, id, grainState.ETag);
        grainState.ETag = FormatETag(result.Version);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var id = grainId.ToString();
        var result = await Store.GrainStates.ClearAsync(stateName, id, ExpectedVersion(grainState.ETag), cancellationToken).ConfigureAwait(false);
        ThrowIfRefused(result, "Clear", stateName, id, grainState.ETag);
        Reset(grainState, FormatETag(result.Version));
    }

    private void ThrowIfRefused(ConditionalWriteResult result, string operation, string stateName, string grainId, string? grainETag)
    {
        if (result.Succeeded)
        {
            return;
        }

        var storedETag = FormatETag(result.Version);
        StorageLog.ETagConflict(_logger, _name, operation, stateName, grainId, storedETag, grainETag);
        throw new InconsistentStateException(
            $"Version conflict ({operation}) in SQLite grain storage '{_name}' ({Store.Path}): state '{stateName}' of grain '{grainId}' " +
            $"has ETag {storedETag ?? "none (no record)"} in the file, the grain holds {grainETag ?? "none"}.",
            storedETag, grainETag);
    }

    private void Reset<T>(IGrainState<T> grainState, string? etag)
    {
        grainState.State = New<T>();
        grainState.ETag = etag;
        grainState.RecordExists = false;
    }

    private T New<T>() => _activators.GetActivator<T>().Create();

    /// <summary>The version an ETag stands for: null (or empty) means "no record"; text that is not a version
    /// this provider issued can match no record, so it maps to a version no record has.</summary>
    private static long? ExpectedVersion(string? etag) =>
        string.IsNullOrEmpty(etag) ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version
        : -1;

    private static string? FormatETag(long? version) => version?.ToString(CultureInfo.InvariantCulture);
}
