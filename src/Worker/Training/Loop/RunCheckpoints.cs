using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// Writes last.ckpt after every epoch (atomically, through a temporary file) and copies it to best.ckpt when the
/// epoch improved the best mAP; reports each write. Only rank 0 writes.
/// </summary>
internal sealed class RunCheckpoints(RunFiles files, RunEvents events)
{
    public void Write(CheckpointState state, TrainingModels models, bool improved)
    {
        CheckpointFile.Write(files.LastCheckpoint, state, models.Model, models.Ema?.Ema, models.Optimizer);
        if (improved)
            CopyAtomically(files.LastCheckpoint, files.BestCheckpoint);
        events.Publish(new CheckpointWritten(files.LastCheckpoint, state.Epoch, new FileInfo(files.LastCheckpoint).Length, improved));
    }

    private static void CopyAtomically(string source, string target)
    {
        string temp = target + ".tmp";
        File.Copy(source, temp, overwrite: true);
        File.Move(temp, target, overwrite: true);
    }
}
