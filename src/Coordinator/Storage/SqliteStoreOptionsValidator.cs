using Orleans;
using Orleans.Runtime;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>Checks store options when the silo starts; the error names the option and what it accepts.</summary>
internal sealed class SqliteStoreOptionsValidator(SqliteStoreOptions options, string owner) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var optionsName = options.GetType().Name;
        if (string.IsNullOrWhiteSpace(options.FilePath))
        {
            throw new OrleansConfigurationException(
                $"{owner}: {optionsName}.{nameof(SqliteStoreOptions.FilePath)} is empty; set it to the store file's path (e.g. <coordinator folder>/coordinator.db)");
        }

        if (options.FilePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new OrleansConfigurationException(
                $"{owner}: {optionsName}.{nameof(SqliteStoreOptions.FilePath)} '{options.FilePath}' contains characters not allowed in a path");
        }

        if (Directory.Exists(options.FilePath))
        {
            throw new OrleansConfigurationException(
                $"{owner}: {optionsName}.{nameof(SqliteStoreOptions.FilePath)} '{options.FilePath}' is a folder; it must name a file in it (e.g. coordinator.db)");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new OrleansConfigurationException(
                $"{owner}: {optionsName}.{nameof(SqliteStoreOptions.BusyTimeout)} is {options.BusyTimeout}; allowed: more than zero and at most {TimeSpan.FromMilliseconds(int.MaxValue)}");
        }
    }
}
