using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>
/// The stores open in one process, one per file: the grain storage providers and the event journal of a
/// silo that name the same file share its writer connection, so their writes queue in process instead of
/// waiting on each other's file locks. Disposing the catalog closes every store.
/// </summary>
public sealed class SqliteStoreCatalog(TimeProvider time, ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Dictionary<string, SqliteStore> _stores = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>
    /// The store of <paramref name="options"/>' file, opened (and checked) on first use. A file that cannot be
    /// used throws <see cref="StoreFileException"/> each time it is asked for.
    /// </summary>
    public SqliteStore Open(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Path.GetFullPath(options.FilePath);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_stores.TryGetValue(path, out var store))
            {
                store = SqliteStore.Open(path, options.BusyTimeout, time, loggerFactory.CreateLogger<SqliteStore>());
                _stores.Add(path, store);
            }

            return store;
        }
    }

    /// <summary>Closes every store opened through this catalog.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var store in _stores.Values)
            {
                store.Dispose();
            }

            _stores.Clear();
        }
    }
}
