using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>Registers the SQLite grain storage and event journal on a silo.</summary>
public static class SqliteStorageSiloBuilderExtensions
{
    /// <summary>The options name of the event journal's <see cref="SqliteStoreOptions"/>.</summary>
    public const string EventJournalOptionsName = "EventJournal";

    /// <summary>Adds SQLite grain storage as the silo's default grain storage.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds SQLite grain storage under <paramref name="name"/> (the name grains give in
    /// <c>[PersistentState(stateName, storageName)]</c>). Providers naming the same file share it.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqliteGrainStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<SqliteGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<SqliteGrainStorageOptions>>());
        services.AddTransient<IConfigurationValidator>(provider => new SqliteStoreOptionsValidator(
            provider.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name), $"grain storage '{name}'"));
        AddCatalog(services);
        services.AddGrainStorage(name, (provider, key) => new SqliteGrainStorage(
            key,
            provider.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(key),
            provider.GetRequiredService<SqliteStoreCatalog>(),
            provider.GetRequiredService<IActivatorProvider>(),
            provider.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        return builder;
    }

    /// <summary>
    /// Adds the <see cref="EventJournal"/> of the store file in <paramref name="configure"/>'s options as a
    /// singleton, opened when the silo starts. Give it the grain storage's file to keep one file per coordinator.
    /// </summary>
    public static ISiloBuilder AddSqliteEventJournal(this ISiloBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqliteStoreOptions>(EventJournalOptionsName).Configure(configure);
        services.AddTransient<IConfigurationValidator>(provider => new SqliteStoreOptionsValidator(
            provider.GetRequiredService<IOptionsMonitor<SqliteStoreOptions>>().Get(EventJournalOptionsName), "event journal"));
        AddCatalog(services);
        services.TryAddSingleton(provider => provider.GetRequiredService<SqliteStoreCatalog>()
            .Open(provider.GetRequiredService<IOptionsMonitor<SqliteStoreOptions>>().Get(EventJournalOptionsName)).Journal);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, EventJournalOpener>());
        return builder;
    }

    private static void AddCatalog(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteStoreCatalog>();
    }
}
