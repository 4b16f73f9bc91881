namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>What an ASHA rung decided about a trial's result: record it at the rung, and go on or stop.</summary>
public sealed record RungOutcome(int Rung, bool Continue, string Reason);
