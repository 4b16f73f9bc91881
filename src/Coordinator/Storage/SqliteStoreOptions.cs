namespace Asl.Distributed.Coordinator.Storage;

/// <summary>Where a coordinator store file is and how long a write waits for another process's lock.</summary>
public class SqliteStoreOptions
{
    /// <summary>The default <see cref="BusyTimeout"/>.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The store file, normally <c>coordinator.db</c> in the coordinator's folder; created when missing.</summary>
    public string FilePath { get; set; } = "";

    /// <summary>How long an operation waits while another connection holds the file's write lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;
}
