namespace Asl.Distributed.Otlp.Testing;

/// <summary>One export call as it ended: recorded after its data was stored or refused, before the reply is sent.</summary>
/// <param name="Signal">The collector service that was called.</param>
/// <param name="Outcome">What the receiver did with the call.</param>
public sealed record OtlpExportAnswer(OtlpSignal Signal, OtlpExportOutcome Outcome);
