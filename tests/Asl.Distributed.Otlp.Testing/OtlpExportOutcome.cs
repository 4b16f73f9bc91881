namespace Asl.Distributed.Otlp.Testing;

/// <summary>How the receiver ended one export call.</summary>
public enum OtlpExportOutcome
{
    /// <summary>The data was stored and the call answered OK.</summary>
    Stored,

    /// <summary>The call was answered UNAVAILABLE (mode Refuse) and nothing was stored.</summary>
    Refused,

    /// <summary>The call ended unanswered: its client gave up (deadline, shutdown) while it was held, or the receiver closed.</summary>
    Abandoned,
}
