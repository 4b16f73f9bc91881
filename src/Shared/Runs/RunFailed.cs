namespace Asl.Distributed.Runs;

/// <summary>
/// The run ended early: it failed, lost a peer, or was interrupted. <paramref name="Epoch"/> and
/// <paramref name="Batch"/> say where (null before training began); <paramref name="LastCheckpoint"/> is the
/// checkpoint a resume would continue from, or null when none was written.
/// </summary>
public sealed record RunFailed(RunExitReason Reason, string Error, int? Epoch, int? Batch, string? LastCheckpoint) : RunEvent;
