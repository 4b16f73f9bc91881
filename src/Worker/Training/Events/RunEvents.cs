using Asl.Distributed.Runs;

namespace Asl.Distributed.Training.Events;

/// <summary>Hands each event of a run to every observer, in the order they were given.</summary>
public sealed class RunEvents(IReadOnlyList<IRunObserver> observers, RunControl control)
{
    public RunControl Control { get; } = control;

    public void Publish(RunEvent runEvent)
    {
        foreach (var observer in observers)
            observer.OnEvent(runEvent, Control);
    }
}
