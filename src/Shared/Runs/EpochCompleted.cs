namespace Asl.Distributed.Runs;

/// <summary>An epoch was trained and both models validated; its metrics are final (written to metrics.jsonl).</summary>
public sealed record EpochCompleted(EpochMetrics Metrics, int Epochs) : RunEvent;
