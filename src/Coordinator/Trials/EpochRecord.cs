namespace Asl.Distributed.Coordinator.Trials;

/// <summary>
/// One reported epoch: its metrics as the trainer's metrics.jsonl line (the Shared record's JSON, so the stored form
/// is the trainer's own), the sweep metric's value, the attempt that ran it and the answer it got.
/// </summary>
[GenerateSerializer, Alias("asl.EpochRecord")]
public sealed record EpochRecord(
    [property: Id(0)] int Epoch,
    [property: Id(1)] string MetricsJson,
    [property: Id(2)] double Metric,
    [property: Id(3)] int Attempt,
    [property: Id(4)] bool Proceed);
