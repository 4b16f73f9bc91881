namespace Asl.Distributed.Sweeps;

/// <summary>
/// ASHA's answer to one epoch's result: what the trial does, the record to add to the rung (null when the epoch
/// reached no new rung) and the cutoff the result was held to (null without a decision at a rung, or while the
/// rung held no result that is a number), in the metric's units.
/// </summary>
public sealed record AshaDecision(AshaAction Action, AshaRecord? Record, double? Cutoff);
