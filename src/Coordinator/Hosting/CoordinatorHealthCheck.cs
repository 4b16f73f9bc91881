using Asl.Distributed.Coordinator.Workers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>Healthy when a grain answers: the silo runs and the worker registry's state could be read from the store.</summary>
public sealed class CoordinatorHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var queue = await grains.GetGrain<IWorkerRegistryGrain>(0).Queue().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{queue.Count} trial(s) waiting for workers");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("the worker registry does not answer", e);
        }
    }
}
