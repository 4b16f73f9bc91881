using System.Text.Json;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Loop;

namespace Asl.Distributed.Training.Events;

/// <summary>
/// Writes metrics.jsonl (one line per completed epoch, per-class AP included) and summary.json at the end of a run.
/// Rank 0's trainer attaches it; resume trims lines of epochs the checkpoint does not hold before training goes on.
/// </summary>
public sealed class MetricsFileObserver(RunFiles files) : IRunObserver
{
    public void OnEvent(RunEvent runEvent, RunControl run)
    {
        switch (runEvent)
        {
            case EpochCompleted completed:
                File.AppendAllText(files.Metrics, JsonSerializer.Serialize(completed.Metrics, RunJson.Options) + "\n");
                break;
            case RunFinished finished:
                File.WriteAllText(files.Summary, JsonSerializer.Serialize(finished.Summary, RunJson.Options));
                break;
        }
    }
}
