using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>
/// Run once when the silo starts: wakes the worker registry (so heartbeat deadlines are armed and queued trials get
/// gangs) and every running sweep (so trials whose creation a kill cut short are created).
/// </summary>
public sealed partial class SweepRecovery(IGrainFactory grains, ILogger<SweepRecovery> logger) : IStartupTask
{
    public async Task Execute(CancellationToken cancellationToken)
    {
        await grains.GetGrain<Workers.IWorkerRegistryGrain>(0).Start();
        var sweeps = await grains.GetGrain<ISweepIndexGrain>(0).List();
        foreach (var id in sweeps)
            await grains.GetGrain<ISweepGrain>(id).Resume();
        Resumed(sweeps.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "coordinator started: {Sweeps} stored sweeps looked at")]
    private partial void Resumed(int sweeps);
}
