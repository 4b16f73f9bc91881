namespace Asl.Distributed.Configuration.Training;

/// <summary>Range checks that name the config field and the allowed values.</summary>
internal static class ConfigChecks
{
    public static void Positive(double value, string field)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw new ConfigException(field, $"{value} is out of range; allowed: a finite number > 0");
    }

    public static void InRange(double value, double min, double max, string field)
    {
        if (!double.IsFinite(value) || value < min || value > max)
            throw new ConfigException(field, $"{value} is out of range; allowed: a number in [{min}, {max}]");
    }

    public static void InRange(int value, int min, int max, string field)
    {
        if (value < min || value > max)
            throw new ConfigException(field, $"{value} is out of range; allowed: an integer in [{min}, {max}]");
    }

    public static string OneOf(string? value, IReadOnlyList<string> allowed, string field)
    {
        string normalized = (value ?? "").Trim().ToLowerInvariant();
        if (!allowed.Contains(normalized))
            throw new ConfigException(field, $"'{value}' is not allowed; allowed: {string.Join(", ", allowed)}");
        return normalized;
    }

    public static void Required(string? value, string field, string when)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigException(field, $"is required {when}");
    }
}
