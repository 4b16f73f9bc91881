using System.Text.Json;
using Asl.Distributed.Contracts;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Shared.Tests.Contracts;

public sealed class EpochMetricsMessagesTests
{
    [Fact]
    public void ToMessageThenToRecord_EveryField_ComesBackTheSame()
    {
        // Every field a distinct value, so a field mapped to its neighbour shows.
        var metrics = new EpochMetrics(3, 120, 1.5, 2e-4, 61.25, 62.5, 0.75, 55.5, 58.25, 0.125, 3.5, 812.5, 42.25, 2,
            WorldSize: 2, CommunicationShare: 0.0625, Diverged: true, ClassAp: [10, double.NaN, 30], ClassApEma: [11, 21, 31],
            Durations: new EpochDurations(1.25, 30.5, 4.75, 6.5));

        var back = metrics.ToMessage().ToRecord();

        Assert.Equal(JsonSerializer.Serialize(metrics, RunJson.Options), JsonSerializer.Serialize(back, RunJson.Options));
    }

    [Fact]
    public void ToRecord_NoClassApOrDurations_LeavesThemNull()
    {
        var back = new EpochMetrics(1, 10, 1, 1e-3, 50, 50, 1, 40, 40, 0, 4, 100, 10, 0).ToMessage().ToRecord();

        Assert.Null(back.ClassAp);
        Assert.Null(back.ClassApEma);
        Assert.Null(back.Durations);
    }
}
