namespace Asl.Distributed.Otlp.Testing;

/// <summary>How the <see cref="OtlpReceiver"/> answers export calls; switchable while exporters are running.</summary>
public enum OtlpReceiverMode
{
    /// <summary>Store the data and answer OK, as a healthy collector does.</summary>
    Accept,

    /// <summary>Answer every export with gRPC UNAVAILABLE and store nothing, as an overloaded or restarting collector does.</summary>
    Refuse,

    /// <summary>
    /// Answer nothing until the mode changes (the held calls are then answered as the new mode says) or the receiver
    /// is disposed (they fail with UNAVAILABLE): a collector that accepts connections but never replies.
    /// </summary>
    Hold,
}
