using Orleans;
using Orleans.Storage;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>Options of a SQLite grain storage provider.</summary>
public sealed class SqliteGrainStorageOptions : SqliteStoreOptions, IStorageProviderSerializerOptions
{
    /// <summary>
    /// The silo lifecycle stage at which the file is opened and checked; before grains activate, so a bad
    /// file stops the silo's start.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// Turns grain state into the stored payload. Left unset, the serializer registered under the provider's
    /// name is used, else the silo's default <see cref="IGrainStorageSerializer"/>.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
