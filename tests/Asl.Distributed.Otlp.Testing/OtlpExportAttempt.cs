namespace Asl.Distributed.Otlp.Testing;

/// <summary>One export call as it arrived, before it was stored, refused or held.</summary>
/// <param name="Signal">The collector service that was called.</param>
/// <param name="Mode">The receiver's mode when the call arrived.</param>
public sealed record OtlpExportAttempt(OtlpSignal Signal, OtlpReceiverMode Mode);
