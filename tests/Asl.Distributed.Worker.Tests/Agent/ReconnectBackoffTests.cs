using Asl.Distributed.Worker.Agent;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>The agent's reconnection delays against their closed form min(max, initial·2ⁿ)·(1 − jitter·u), u in [0, 1).</summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_WithoutJitter_DoublesUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3), jitter: 0, seed: 1);
        double[] expected = [0.2, 0.4, 0.8, 1.6, 3.0, 3.0, 3.0];
        foreach (double seconds in expected)
            Assert.Equal(seconds, backoff.Next().TotalSeconds, 9);
    }

    [Fact]
    public void Next_WithJitter_StaysWithinTheJitterBandBelowEachCeiling()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3), jitter: 0.2, seed: ReconnectBackoff.SeedOf("worker-a"));
        var delays = Enumerable.Range(0, 40).Select(_ => backoff.Next().TotalSeconds).ToList();
        for (int n = 0; n < delays.Count; n++)
        {
            double ceiling = Math.Min(3.0, 0.2 * Math.Pow(2, n));
            Assert.InRange(delays[n], 0.8 * ceiling - 1e-9, ceiling + 1e-9);
        }
        // Jittered, not a constant fraction of the ceiling.
        Assert.True(delays.Skip(5).Distinct().Count() > 30);
    }

    [Fact]
    public void Next_SameWorkerId_SameDelaysAndAnotherIdOthers()
    {
        static List<TimeSpan> Delays(string id)
        {
            var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 0.5, ReconnectBackoff.SeedOf(id));
            return [.. Enumerable.Range(0, 12).Select(_ => backoff.Next())];
        }

        Assert.Equal(Delays("host-29500"), Delays("host-29500"));
        Assert.NotEqual(Delays("host-29500"), Delays("host-29501"));
    }

    [Fact]
    public void Reset_AfterASuccess_StartsAgainAtTheInitialDelay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(3), jitter: 0, seed: 1);
        for (int i = 0; i < 6; i++)
            backoff.Next();
        backoff.Reset();
        Assert.Equal(0.2, backoff.Next().TotalSeconds, 9);
        Assert.Equal(0.4, backoff.Next().TotalSeconds, 9);
    }

    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void SeedOf_IsFnv1a32(string text, uint expected) => Assert.Equal(unchecked((int)expected), ReconnectBackoff.SeedOf(text));

    [Theory]
    [InlineData(0.0, 1.0, 0.2)]
    [InlineData(0.2, 0.1, 0.2)]
    [InlineData(0.2, 1.0, 1.5)]
    public void Create_OutOfRange_Throws(double initialSeconds, double maxSeconds, double jitter) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(initialSeconds), TimeSpan.FromSeconds(maxSeconds), jitter, 1));
}
