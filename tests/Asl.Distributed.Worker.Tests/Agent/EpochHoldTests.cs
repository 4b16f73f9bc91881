using Asl.Distributed.Worker.Agent;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>The values of the agent's test-only fault point variable (the hold itself is used by the end-to-end worker kill test).</summary>
public sealed class EpochHoldTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parse_Unset_IsNoHold(string? value) => Assert.Null(EpochHold.Parse(value));

    [Fact]
    public void AtEpochEnd_AnotherAttemptRankOrEpoch_ReturnsAtOnceWithoutASignal()
    {
        string signal = Path.Combine(Path.GetTempPath(), $"asl-hold-{Guid.NewGuid():N}");
        var hold = EpochHold.Parse($"s.0000 1 1 2 {signal}")!;

        hold.AtEpochEnd(new AttemptKey("s.0001", 1), 1, 2, CancellationToken.None);
        hold.AtEpochEnd(new AttemptKey("s.0000", 2), 1, 2, CancellationToken.None);
        hold.AtEpochEnd(new AttemptKey("s.0000", 1), 0, 2, CancellationToken.None);
        hold.AtEpochEnd(new AttemptKey("s.0000", 1), 1, 1, CancellationToken.None);

        Assert.False(File.Exists(signal));
    }

    [Fact]
    public async Task AtEpochEnd_TheChosenOne_SignalsAndHoldsUntilTheAttemptIsCancelled()
    {
        string signal = Path.Combine(Path.GetTempPath(), $"asl-hold-{Guid.NewGuid():N}");
        var hold = EpochHold.Parse($"s.0000 1 1 2 {signal}")!;
        using var cancellation = new CancellationTokenSource();
        try
        {
            var held = Task.Factory.StartNew(() => hold.AtEpochEnd(new AttemptKey("s.0000", 1), 1, 2, cancellation.Token), TaskCreationOptions.LongRunning);
            while (!File.Exists(signal))
                await Task.Delay(10);

            Assert.Equal("trial s.0000 attempt 1", await File.ReadAllTextAsync(signal));
            Assert.False(held.IsCompleted);
            await cancellation.CancelAsync();
            await held.WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            File.Delete(signal);
        }
    }

    [Theory]
    [InlineData("s.0000 1 1 1")]
    [InlineData("s.0000 0 1 1 /tmp/held")]
    [InlineData("s.0000 1 -1 1 /tmp/held")]
    [InlineData("s.0000 1 1 0 /tmp/held")]
    [InlineData("s.0000 one 1 1 /tmp/held")]
    public void Parse_Malformed_ThrowsNamingTheVariableAndTheAllowedForm(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => EpochHold.Parse(value));

        Assert.Contains($"{EpochHold.Variable} is '{value}'", e.Message);
        Assert.Contains("<trial id> <attempt >= 1> <rank >= 0> <epoch >= 1> <signal file>", e.Message);
    }
}
