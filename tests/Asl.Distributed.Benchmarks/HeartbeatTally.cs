namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Heartbeats over a window: sent, failed (an RPC error), answered "unknown worker", skipped (the previous one was
/// still unanswered), and the answered ones' round trips in milliseconds.
/// </summary>
internal sealed record HeartbeatTally(long Sent, long Failed, long Unknown, long Skipped, IReadOnlyList<double> RoundTripsMs);
