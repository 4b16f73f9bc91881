using Asl.Distributed.Coordinator.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>SQLite grain storage providers built outside a silo, with Orleans' own serializer and activators.</summary>
internal static class GrainStorages
{
    private static readonly ServiceProvider _orleans = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(SampleState).Assembly))
        .BuildServiceProvider();

    /// <summary>A provider named <paramref name="name"/> over <paramref name="path"/>, opened through <paramref name="catalog"/>.</summary>
    public static SqliteGrainStorage Create(SqliteStoreCatalog catalog, string path, string name = "Default") => new(
        name,
        new SqliteGrainStorageOptions
        {
            FilePath = path,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(_orleans.GetRequiredService<Serializer>()),
        },
        catalog,
        _orleans.GetRequiredService<IActivatorProvider>(),
        NullLogger<SqliteGrainStorage>.Instance);

    public static SqliteStoreCatalog Catalog() => new(TimeProvider.System, NullLoggerFactory.Instance);
}
