namespace Asl.Distributed.Configuration;

/// <summary>
/// A configuration value that cannot be used. <see cref="Field"/> is the path a user writes in a config file
/// (for example <c>loss.gamma_neg</c>); the message names the allowed values.
/// </summary>
public sealed class ConfigException(string field, string message) : Exception($"{field}: {message}")
{
    /// <summary>The config path of the offending setting.</summary>
    public string Field { get; } = field;
}
