namespace Asl.Distributed.Runs;

/// <summary>The checkpoint a run continues from: epochs and optimizer steps already done.</summary>
public sealed record ResumePoint(int Epoch, long Step, string Checkpoint);
