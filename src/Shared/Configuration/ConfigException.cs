namespace Asl.Distributed.Configuration;

/// <summary>
/// A configuration that cannot be used. <see cref="Problems"/> lists every problem found, each with the path a user
/// writes in a config file (for example <c>loss.gamma_neg</c>) and the allowed values; <see cref="Field"/> is the
/// first one's path.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string field, string message)
        : this([new ConfigProblem(field, message)])
    {
    }

    public ConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in the order of the config.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>The config path of the first offending setting.</summary>
    public string Field => Problems[0].Key;

    private static string Describe(IReadOnlyList<ConfigProblem> problems)
    {
        if (problems.Count == 0)
            throw new ArgumentException("a config error needs at least one problem", nameof(problems));
        return problems.Count == 1
            ? problems[0].ToString()
            : $"{problems.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => $"  {p}"));
    }
}
