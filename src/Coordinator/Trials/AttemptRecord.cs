namespace Asl.Distributed.Coordinator.Trials;

/// <summary>One try of a trial on a gang of workers.</summary>
[GenerateSerializer, Alias("asl.AttemptRecord")]
public sealed class AttemptRecord
{
    [Id(0)] public int Number { get; set; }
    /// <summary>Worker ids by rank.</summary>
    [Id(1)] public List<string> WorkerIds { get; set; } = [];
    [Id(2)] public List<string> PeerEndpoints { get; set; } = [];
    [Id(3)] public string JobSecret { get; set; } = "";
    [Id(4)] public DateTimeOffset Started { get; set; }
    [Id(5)] public DateTimeOffset? Ended { get; set; }
    [Id(6)] public string EndReason { get; set; } = "";
    [Id(7)] public bool CountedAsFailure { get; set; }
    /// <summary>The checkpoint it resumed from (empty: from scratch) and that checkpoint's epoch.</summary>
    [Id(8)] public string ResumedFrom { get; set; } = "";
    [Id(9)] public int ResumedFromEpoch { get; set; }
    /// <summary>Ended because a rank lost its peer; the peer's own report (or its lost heartbeats) says whether it failed.</summary>
    [Id(10)] public bool LostPeer { get; set; }
    /// <summary>The W3C trace context of the attempt's span, sent to its ranks (empty when no traces are exported).</summary>
    [Id(11)] public string TraceContext { get; set; } = "";
}
