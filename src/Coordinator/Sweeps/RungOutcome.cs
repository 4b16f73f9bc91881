namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>What an ASHA rung decided about a trial's result: record it at the milestone, and go on or stop.</summary>
public sealed record RungOutcome(int Milestone, bool Continue, string Reason);
