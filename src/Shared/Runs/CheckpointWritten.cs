namespace Asl.Distributed.Runs;

/// <summary>The checkpoint after <paramref name="Epoch"/> is on disk (written atomically); <paramref name="IsBest"/> when it also became best.ckpt.</summary>
public sealed record CheckpointWritten(string Path, int Epoch, long Bytes, bool IsBest) : RunEvent;
