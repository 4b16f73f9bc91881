using Asl.Distributed.Runs;
using Asl.Distributed.Training.Events;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>Keeps every event of a run, and optionally acts on one (asks for a stop, or throws).</summary>
internal sealed class RecordingObserver(Action<RunEvent, RunControl>? act = null) : IRunObserver
{
    public List<RunEvent> Events { get; } = [];

    public void OnEvent(RunEvent runEvent, RunControl run)
    {
        Events.Add(runEvent);
        act?.Invoke(runEvent, run);
    }

    public IEnumerable<T> Of<T>() where T : RunEvent => Events.OfType<T>();
}
