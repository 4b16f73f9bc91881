namespace Asl.Distributed.Otlp.Testing;

/// <summary>The three OTLP signals, one collector service each.</summary>
public enum OtlpSignal
{
    Metrics,
    Traces,
    Logs,
}
