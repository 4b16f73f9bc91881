using Asl.Distributed.Coordinator.Workers;

namespace Asl.Distributed.Coordinator.Tests.Workers;

public sealed class GangSchedulerTests
{
    private static QueuedTrial Trial(string id, int workers) => new(id, "s", workers, 1, 0);

    [Fact]
    public void Allocate_TrialNeedsMoreWorkersThanFree_GetsNothingAndHoldsNoPartialGang()
    {
        var gangs = GangScheduler.Allocate([Trial("a", 3)], [new("w1", 1), new("w2", 1)]);

        Assert.Empty(gangs);
    }

    [Fact]
    public void Allocate_FirstComeFirstServed_EarlierTrialGetsTheWorkers()
    {
        var gangs = GangScheduler.Allocate([Trial("first", 2), Trial("second", 2)], [new("w1", 1), new("w2", 1)]);

        var gang = Assert.Single(gangs);
        Assert.Equal("first", gang.TrialId);
        Assert.Equal(["w1", "w2"], gang.WorkerIds);
    }

    [Fact]
    public void Allocate_HeadDoesNotFit_SmallerTrialBehindItUsesTheFreeWorker()
    {
        var gangs = GangScheduler.Allocate([Trial("big", 2), Trial("small", 1)], [new("w1", 1)]);

        Assert.Equal("small", Assert.Single(gangs).TrialId);
    }

    [Fact]
    public void Allocate_GangOfN_TakesNDistinctWorkersEvenWithSpareSlots()
    {
        // w1 has two slots, but one trial's ranks must be on different workers.
        var gangs = GangScheduler.Allocate([Trial("a", 2)], [new("w1", 2)]);

        Assert.Empty(gangs);
    }

    [Fact]
    public void Allocate_WorkersWithSeveralSlots_FillsSlotsAcrossTrialsAndPrefersIdleWorkers()
    {
        var gangs = GangScheduler.Allocate(
            [Trial("a", 1), Trial("b", 1), Trial("c", 1), Trial("d", 1)],
            [new("w1", 2), new("w2", 1), new("w3", 0)]);

        Assert.Equal(["a", "b", "c"], gangs.Select(g => g.TrialId));
        Assert.Equal("w1", gangs[0].WorkerIds[0]);              // the most free slots first
        Assert.Equal("w1", gangs[1].WorkerIds[0]);              // w1 and w2 now tie at 1: registration order
        Assert.Equal("w2", gangs[2].WorkerIds[0]);
        Assert.DoesNotContain(gangs, g => g.WorkerIds.Contains("w3"));
    }

    [Fact]
    public void Allocate_RanksOfAGang_AreDistinctAndEachSlotIsUsedOnce()
    {
        var gangs = GangScheduler.Allocate([Trial("a", 2), Trial("b", 2), Trial("c", 2)], [new("w1", 2), new("w2", 2), new("w3", 1)]);

        Assert.All(gangs, g => Assert.Equal(g.WorkerIds.Count, g.WorkerIds.Distinct().Count()));
        var used = gangs.SelectMany(g => g.WorkerIds).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(used.GetValueOrDefault("w1") <= 2 && used.GetValueOrDefault("w2") <= 2 && used.GetValueOrDefault("w3") <= 1);
        Assert.Equal(2, gangs.Count); // five slots: two gangs of two, the fifth slot alone cannot hold a third
    }
}
