using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Worker.Progress;

/// <summary>
/// The live progress display of <c>asl-worker train</c>: a line at each progress event (epoch, batch, loss, learning
/// rate, images/s, time left), one per completed epoch (loss, mAP of the regular and the EMA model, CF1, OF1, Δp,
/// γ−) once that epoch's checkpoint is on disk, and the outcome. Attached on rank 0 only (which writes the
/// checkpoints).
/// </summary>
public sealed class ConsoleProgressObserver(TextWriter output) : IRunObserver
{
    private EpochCompleted? _pending;
    private string _folder = "";

    public void OnEvent(RunEvent runEvent, RunControl run)
    {
        switch (runEvent)
        {
            case RunStarted started:
                _folder = started.OutputFolder;
                break;
            case BatchProgress p:
                output.WriteLine(($"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.MeanLoss:G5} lr {p.LearningRate:G3} " +
                    $"{p.ImagesPerSecond:F1} img/s ETA {p.RemainingTime:c}"));
                break;
            case EpochCompleted completed:
                _pending = completed;
                break;
            case CheckpointWritten written when _pending is { } completed && completed.Metrics.Epoch == written.Epoch:
                // "done" means saved: a run stopped after this line resumes after this epoch.
                output.WriteLine(EpochLine(completed.Metrics, completed.Epochs));
                _pending = null;
                break;
            case RunFinished { Summary: var s }:
                string best = s.BestEpoch == 0 ? "no epoch had a finite mAP" : $"best mAP {s.BestMap:F2} at epoch {s.BestEpoch} ({s.BestCheckpoint})";
                string outcome = s.ExitReason == RunExitReason.Stopped ? $"stopped on request after {s.EpochsCompleted} epochs ({s.StopReason})" : $"done: {s.EpochsCompleted} epochs";
                output.WriteLine($"{outcome}; {best}; summary {Path.Combine(_folder, "summary.json")}");
                break;
        }
    }

    private static string EpochLine(EpochMetrics m, int epochs) => (
        $"epoch {m.Epoch}/{epochs} done: loss {m.TrainLoss:G5} mAP {m.Map:F2} mAP(EMA) {m.MapEma:F2} CF1 {m.Cf1:F2} OF1 {m.Of1:F2} " +
        $"Δp {m.ProbGap:F4} γ− {m.GammaNeg:G4} {m.ImagesPerSecond:F1} img/s {m.Seconds:F1} s" +
        (m.Diverged ? " (diverged: validation scores not finite)" : "") +
        (m.WorldSize > 1 ? $" ({m.WorldSize} ranks, {100 * m.CommunicationShare:F1}% of training time in all-reduce)" : ""));
}
