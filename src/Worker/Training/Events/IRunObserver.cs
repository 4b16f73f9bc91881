using Asl.Distributed.Runs;

namespace Asl.Distributed.Training.Events;

/// <summary>
/// Receives a run's events on the training thread, in order. An observer that wants the run to end early (a
/// scheduler's decision) calls <see cref="RunControl.RequestStop"/>; the run stops after the current epoch with
/// its checkpoint written. An exception thrown here fails the run.
/// </summary>
public interface IRunObserver
{
    void OnEvent(RunEvent runEvent, RunControl run);
}
