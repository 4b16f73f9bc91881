using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Training.Telemetry;

/// <summary>Records rank 0's progress and epoch events as metrics.</summary>
internal sealed class TrainingMetricsObserver(TrainingMetrics metrics) : IRunObserver
{
    public void OnEvent(RunEvent runEvent, RunControl run)
    {
        switch (runEvent)
        {
            case BatchProgress progress:
                metrics.Progress(progress);
                break;
            case EpochCompleted completed:
                metrics.Epoch(completed.Metrics);
                break;
        }
    }
}
