namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// The one worker registry and gang scheduler (key 0). Trials call it (enqueue, release); it tells trials of their
/// gangs and of lost workers only by one-way calls, so no call cycle can block either side.
/// </summary>
[Alias("asl.IWorkerRegistryGrain")]
public interface IWorkerRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the registry, so heartbeat deadlines are armed after a restart before any worker calls.</summary>
    [Alias("Start")]
    Task Start();

    [Alias("Register")]
    Task<RegistrationAnswer> Register(WorkerRegistration registration);

    /// <summary>Gives the worker no new attempts until it registers again; returns false when it is not registered.</summary>
    [Alias("Drain")]
    Task<bool> Drain(string workerId);

    /// <summary>Puts a trial's next attempt in the queue for a gang (idempotent for the same trial and attempt).</summary>
    [Alias("Enqueue")]
    Task Enqueue(QueuedTrial trial);

    /// <summary>
    /// Frees the workers of a trial's earlier attempts and queues its next attempt in one step, so the freed workers
    /// cannot go to a trial behind it first. When the next attempt already has its gang (allocated just before a kill,
    /// and repeated by the trial after the restart), the trial is told of that gang again instead.
    /// </summary>
    [Alias("Requeue")]
    Task Requeue(QueuedTrial next);

    /// <summary>Takes a trial out of the queue and frees the workers of its attempt, if any.</summary>
    [Alias("Release")]
    Task Release(string trialId, int attempt);

    [Alias("List")]
    Task<IReadOnlyList<WorkerView>> List();

    /// <summary>Trials waiting for a gang, in queue order.</summary>
    [Alias("Queue")]
    Task<IReadOnlyList<QueuedTrial>> Queue();
}
