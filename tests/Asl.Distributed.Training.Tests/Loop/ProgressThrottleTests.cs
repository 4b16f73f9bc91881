using Asl.Distributed.Training.Loop;
using Microsoft.Extensions.Time.Testing;

namespace Asl.Distributed.Training.Tests.Loop;

/// <summary>Progress reports: each tenth of an epoch and its last batch, plus one whenever ten seconds passed without one.</summary>
public sealed class ProgressThrottleTests
{
    [Fact]
    public void ShouldReport_FastBatches_ReportsEachTenthAndTheLast()
    {
        var time = new FakeTimeProvider();
        var throttle = new ProgressThrottle(95, time);
        var reported = Enumerable.Range(1, 95).Where(b =>
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            return throttle.ShouldReport(b);
        });
        Assert.Equal([9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 95], reported);
    }

    [Fact]
    public void ShouldReport_SlowBatches_ReportsWheneverTheSilenceReachesTenSeconds()
    {
        var time = new FakeTimeProvider();
        var throttle = new ProgressThrottle(50, time);
        double[] seconds = [0.1, 0.1, 11, 0.1, 0.1, 6, 6, 0.1, 0.1, 0.1, 9.9];
        var reported = new List<int>();
        for (int b = 1; b <= seconds.Length; b++)
        {
            time.Advance(TimeSpan.FromSeconds(seconds[b - 1]));
            if (throttle.ShouldReport(b))
                reported.Add(b);
        }
        // 3: 11.2 s of silence; 5: a tenth (every 5th of 50); 7: 12 s since 5; 10: a tenth; 11: 9.9 s is not yet 10.
        Assert.Equal([3, 5, 7, 10], reported);
    }
}
