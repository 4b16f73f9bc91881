using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace Asl.Distributed.Coordinator.Storage;

/// <summary>Opens the event journal's file when the silo starts, so that a bad file stops the start.</summary>
internal sealed class EventJournalOpener(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EventJournalOpener), ServiceLifecycleStage.ApplicationServices, cancellationToken =>
        {
            _ = services.GetRequiredService<EventJournal>();
            return Task.CompletedTask;
        });
}
