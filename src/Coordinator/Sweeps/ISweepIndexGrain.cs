namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>The list of stored sweeps (key 0), so a restarted coordinator can wake the running ones and clients can list them.</summary>
[Alias("asl.ISweepIndexGrain")]
public interface ISweepIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task Add(string sweepId);

    [Alias("List")]
    Task<IReadOnlyList<string>> List();
}
