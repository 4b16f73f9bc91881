using Asl.Distributed.Coordinator.Storage;
using Microsoft.Data.Sqlite;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Asl.Distributed.Coordinator.Tests.Cluster;

/// <summary>
/// A one-silo Orleans test cluster, like the coordinator, whose default grain storage and event journal are
/// one SQLite store file in a temp folder. <see cref="RestartAsync"/> ends the cluster and starts a new one on
/// the same folder, which is how grain tests check recovery; the folder is deleted at dispose. Subclass and
/// override <see cref="ConfigureSilo"/> to add services (then give the subclass its own collection).
/// </summary>
public class CoordinatorClusterFixture : IAsyncLifetime
{
    /// <summary>The store file's name in <see cref="StorageFolder"/>.</summary>
    public const string StoreFileName = "coordinator.db";

    // Kept across restarts: a restarted coordinator is the same service.
    private readonly string _serviceId = Guid.NewGuid().ToString("N");
    private readonly string _clusterId = InProcessTestClusterBuilder.CreateClusterId();
    private InProcessTestCluster? _cluster;

    /// <summary>Creates the storage folder; the cluster starts in <see cref="InitializeAsync"/>.</summary>
    public CoordinatorClusterFixture()
    {
        StorageFolder = Path.Combine(Path.GetTempPath(), "asl-coordinator-tests", "cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(StorageFolder);
    }

    /// <summary>The coordinator's folder, kept across restarts.</summary>
    public string StorageFolder { get; }

    /// <summary>The store file every silo of this fixture uses.</summary>
    public string StorePath => Path.Combine(StorageFolder, StoreFileName);

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("the test cluster is not running");

    /// <summary>The running cluster's client; a restart replaces it, so fetch it again after one.</summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>The services of the running silo (e.g. its <see cref="EventJournal"/>).</summary>
    public IServiceProvider SiloServices => Cluster.GetSiloServiceProvider();

    /// <summary>How many times a cluster was started on this folder.</summary>
    public int Starts { get; private set; }

    /// <summary>Starts the cluster.</summary>
    public Task InitializeAsync() => StartAsync();

    /// <summary>Ends the running cluster the way <paramref name="how"/> says and starts a new one on the same folder.</summary>
    public async Task RestartAsync(ClusterRestart how = ClusterRestart.Graceful)
    {
        await StopAsync(how);
        await StartAsync();
    }

    /// <summary>Stops the cluster and deletes the folder.</summary>
    public async Task DisposeAsync()
    {
        await StopAsync(ClusterRestart.Graceful);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(StorageFolder))
        {
            Directory.Delete(StorageFolder, recursive: true);
        }
    }

    /// <summary>
    /// Builds (without starting) a one-silo cluster whose default grain storage and event journal are the
    /// store file at <paramref name="storePath"/>, for tests that need a silo on a file of their own.
    /// </summary>
    public static InProcessTestCluster CreateCluster(string storePath, Action<ISiloBuilder>? configureSilo = null,
        string? serviceId = null, string? clusterId = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ServiceId = serviceId ?? builder.Options.ServiceId;
        builder.Options.ClusterId = clusterId ?? builder.Options.ClusterId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorageAsDefault(options => options.FilePath = storePath);
            silo.AddSqliteEventJournal(options => options.FilePath = storePath);
            configureSilo?.Invoke(silo);
        });
        return builder.Build();
    }

    /// <summary>Adds to each silo's configuration; called at every start.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder siloBuilder)
    {
    }

    private async Task StartAsync()
    {
        var cluster = CreateCluster(StorePath, ConfigureSilo, _serviceId, _clusterId);
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        _cluster = cluster;
        Starts++;
    }

    private async Task StopAsync(ClusterRestart how)
    {
        if (_cluster is not { } cluster)
        {
            return;
        }

        _cluster = null;
        try
        {
            if (how == ClusterRestart.Kill)
            {
                foreach (var silo in cluster.Silos.ToList())
                {
                    await cluster.KillSiloAsync(silo);
                }
            }
            else
            {
                await cluster.StopAllSilosAsync();
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
