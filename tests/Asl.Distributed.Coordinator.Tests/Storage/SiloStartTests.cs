using Asl.Distributed.Coordinator.Storage;
using Asl.Distributed.Coordinator.Tests.Cluster;
using Orleans.Runtime;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>A silo whose store file or options are bad does not start, and says why.</summary>
public sealed class SiloStartTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Deploy_ForeignStoreFile_FailsWithStoreFileExceptionAndLeavesTheFile()
    {
        var path = _folder.File();
        using (var connection = Stores.Raw(path))
        {
            Stores.Execute(connection, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');");
        }

        var bytes = await File.ReadAllBytesAsync(path);
        await using var cluster = CoordinatorClusterFixture.CreateCluster(path);

        var error = await Record.ExceptionAsync(() => cluster.DeployAsync());

        var storeError = Find<StoreFileException>(error);
        Assert.Equal(StoreFileProblem.ForeignApplication, storeError.Problem);
        Assert.Equal(path, storeError.Path);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Deploy_EmptyFilePath_FailsNamingTheOption()
    {
        await using var cluster = CoordinatorClusterFixture.CreateCluster(storePath: "");

        var error = await Record.ExceptionAsync(() => cluster.DeployAsync());

        var configurationError = Find<OrleansConfigurationException>(error);
        Assert.Contains("SqliteGrainStorageOptions.FilePath is empty", configurationError.Message);
        Assert.Contains("grain storage 'Default'", configurationError.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_BusyTimeoutNotPositive_NamesTheOptionAndTheAllowedValues(int seconds)
    {
        var validator = new SqliteStoreOptionsValidator(
            new SqliteStoreOptions { FilePath = _folder.File(), BusyTimeout = TimeSpan.FromSeconds(seconds) }, "event journal");
        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);
        Assert.Contains("event journal: SqliteStoreOptions.BusyTimeout", error.Message);
        Assert.Contains("allowed: more than zero", error.Message);
    }

    [Fact]
    public void Validate_FilePathIsAFolder_NamesTheOption()
    {
        var validator = new SqliteStoreOptionsValidator(new SqliteGrainStorageOptions { FilePath = _folder.Path }, "grain storage 'Default'");
        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);
        Assert.Contains("SqliteGrainStorageOptions.FilePath", error.Message);
        Assert.Contains("is a folder", error.Message);
    }

    private static T Find<T>(Exception? error) where T : Exception
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (inner is T innerFound)
                    {
                        return innerFound;
                    }
                }
            }
        }

        throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} in: {error}");
    }
}
