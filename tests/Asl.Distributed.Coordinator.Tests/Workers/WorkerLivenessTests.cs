using Asl.Distributed.Coordinator.Workers;
using Microsoft.Extensions.Time.Testing;

namespace Asl.Distributed.Coordinator.Tests.Workers;

/// <summary>The in-memory heartbeat times: only registered (armed) workers are known, each beat moves its time.</summary>
public sealed class WorkerLivenessTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Beat_WorkerNeverArmed_IsNotKnownAndKeepsNoTime()
    {
        var liveness = new WorkerLiveness(_time);

        Assert.False(liveness.Beat("w1"));
        Assert.Null(liveness.LastHeartbeat("w1"));
    }

    [Fact]
    public void Beat_ArmedWorker_MovesItsLastHeartbeatToNow()
    {
        var liveness = new WorkerLiveness(_time);
        var armed = _time.GetUtcNow();
        liveness.Arm("w1");
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(armed, liveness.LastHeartbeat("w1"));
        Assert.True(liveness.Beat("w1"));
        Assert.Equal(armed.AddSeconds(3), liveness.LastHeartbeat("w1"));
    }

    [Fact]
    public void Forget_ThenBeat_IsNotKnown()
    {
        var liveness = new WorkerLiveness(_time);
        liveness.Arm("w1");
        liveness.Arm("w2");

        liveness.Forget("w1");

        Assert.False(liveness.Beat("w1"));
        Assert.Null(liveness.LastHeartbeat("w1"));
        Assert.True(liveness.Beat("w2"));
    }

    [Fact]
    public void Reset_KeepsExactlyTheGivenWorkersWithAHeartbeatNow()
    {
        var liveness = new WorkerLiveness(_time);
        liveness.Arm("stale");
        liveness.Arm("kept");
        _time.Advance(TimeSpan.FromMinutes(5));

        liveness.Reset(["kept", "stored"]);

        Assert.Null(liveness.LastHeartbeat("stale"));
        Assert.Equal(_time.GetUtcNow(), liveness.LastHeartbeat("kept"));
        Assert.Equal(_time.GetUtcNow(), liveness.LastHeartbeat("stored"));
        Assert.False(liveness.Beat("stale"));
    }
}
