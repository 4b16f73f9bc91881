namespace Asl.Distributed.Configuration.Training;

/// <summary>Checks between settings that no single key's range can say; each adds a problem naming the key.</summary>
internal static class ConfigChecks
{
    public static void Required(List<ConfigProblem> problems, string? value, string field, string when)
    {
        if (string.IsNullOrWhiteSpace(value))
            problems.Add(new ConfigProblem(field, $"is required {when}"));
    }
}
