namespace Asl.Distributed.Telemetry;

/// <summary>An OpenTelemetry environment variable with a value outside the allowed ones; the message names it.</summary>
public sealed class TelemetrySettingsException(string variable, string problem) : Exception($"{variable} {problem}")
{
    /// <summary>The environment variable at fault.</summary>
    public string Variable { get; } = variable;
}
