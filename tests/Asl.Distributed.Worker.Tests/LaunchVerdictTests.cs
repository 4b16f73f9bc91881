using Asl.Distributed.Worker.Launching;

namespace Asl.Distributed.Worker.Tests;

/// <summary>
/// <see cref="LaunchVerdict.Decide"/> against the README's table: every combination of up to three ranks' endings, in
/// every order, with and without a stop request, and the cases of issue 15 by name.
/// </summary>
public sealed class LaunchVerdictTests
{
    /// <summary>The exit codes a rank can report, with what the README's table (and the shell's 128 + n) says each is.</summary>
    private static readonly (int Code, bool ByLauncher, string Kind)[] Endings =
    [
        (0, false, "done"),
        (1, false, "own"),          // the run failed
        (2, false, "own"),          // bad command line or config
        (3, false, "lost"),         // a peer was lost
        (4, false, "stopped"),      // stopped after an epoch on request
        (42, false, "own"),         // some other failure of its own
        (200, false, "own"),        // above the signal range: a code of its own
        (130, false, "stop"),       // interrupted (or SIGINT)
        (143, false, "stop"),       // SIGTERM before its handler was in place
        (137, false, "lost"),       // SIGKILL: OOM killer, kill -9
        (139, false, "lost"),       // SIGSEGV
        (134, false, "lost"),       // SIGABRT
        (-1, false, "lost"),        // abnormal end (Windows' killed process)
        (137, true, "launcher"),    // still running at the end of the grace period
    ];

    [Fact]
    public void Decide_EveryCombinationOfUpToThreeRanks_FollowsTheReadmeTable()
    {
        int checkedCases = 0;
        foreach (var ranks in Combinations(3))
        {
            foreach (bool stop in new[] { false, true })
            {
                var outcomes = ranks.Select((e, i) => new RankOutcome(i, 1000 + i, Endings[e].Code, Endings[e].ByLauncher)).ToList();
                var kinds = ranks.Select(e => Endings[e].Kind).ToList();

                var verdict = LaunchVerdict.Decide(outcomes, stop);

                int expected = kinds.All(k => k == "done") ? 0
                    : kinds.IndexOf("own") is >= 0 and var first ? Endings[ranks[first]].Code
                    : stop || kinds.Contains("stop") ? 130
                    : kinds.All(k => k is "done" or "stopped") ? 4
                    : 3;
                string name = $"[{string.Join(", ", ranks.Select(e => Endings[e].Code + (Endings[e].ByLauncher ? " by launcher" : "")))}] stop={stop}";
                Assert.True(expected == verdict.ExitCode, $"{name}: expected {expected}, got {verdict}");
                // The details name exactly the ranks that did not complete, in the order they ended.
                var named = outcomes.Where((_, i) => kinds[i] != "done").Select(o => $"rank {o.Rank} (pid {o.ProcessId})").ToList();
                Assert.Equal(named, verdict.Details.Length == 0 ? [] : verdict.Details.Split("; ").Select(d => d[..d.IndexOf(')', StringComparison.Ordinal)] + ")").ToList());
                checkedCases++;
            }
        }
        Assert.Equal(2 * (14 + 14 * 14 + 14 * 14 * 14), checkedCases);
    }

    [Theory]
    [InlineData(new[] { 3, 137 }, false, 3)]       // issue 15: rank 1 SIGKILLed, the survivor reported the lost peer first
    [InlineData(new[] { 137, 3 }, false, 3)]
    [InlineData(new[] { 139, 3, 3 }, false, 3)]    // a crash
    [InlineData(new[] { 3, 3 }, false, 3)]         // the network between them failed
    [InlineData(new[] { 130, 130 }, true, 130)]
    [InlineData(new[] { 130, 3 }, true, 130)]      // ranks that lost each other while stopping: still an interruption
    [InlineData(new[] { 137, 130 }, true, 130)]
    [InlineData(new[] { 0, 0, 0 }, true, 0)]       // every rank completed before the stop reached it
    [InlineData(new[] { 0, 130 }, true, 130)]
    [InlineData(new[] { 3, 143 }, false, 130)]     // a rank stopped with SIGTERM by someone else: interrupted
    [InlineData(new[] { 0, 0 }, false, 0)]
    [InlineData(new[] { 4, 4 }, false, 4)]         // every rank stopped after the same epoch, as a scheduler asked
    [InlineData(new[] { 4, 137 }, false, 3)]       // one of them was killed meanwhile
    public void Decide_NamedCases_ReturnTheDocumentedCode(int[] codes, bool stop, int expected)
    {
        var outcomes = codes.Select((c, i) => new RankOutcome(i, 100 + i, c)).ToList();
        var verdict = LaunchVerdict.Decide(outcomes, stop);
        Assert.True(verdict.ExitCode == expected, $"[{string.Join(", ", codes)}] stop={stop}: {verdict}");
    }

    [Theory]
    [InlineData(new[] { 1, 3 }, 1)]
    [InlineData(new[] { 3, 1 }, 1)]    // the cause, though a survivor reported the lost peer first
    [InlineData(new[] { 2, 1 }, 2)]    // the first rank's own failure wins
    [InlineData(new[] { 1, 2 }, 1)]
    [InlineData(new[] { 137, 42 }, 42)]
    public void Decide_ARankFailedOnItsOwn_ReturnsTheFirstSuchCode(int[] codes, int expected)
    {
        var outcomes = codes.Select((c, i) => new RankOutcome(i, 100 + i, c)).ToList();
        Assert.Equal(expected, LaunchVerdict.Decide(outcomes, stopRequested: true).ExitCode);
        Assert.Equal(expected, LaunchVerdict.Decide(outcomes, stopRequested: false).ExitCode);
    }

    [Fact]
    public void ToString_RankKilledBySigKill_NamesTheRankItsPidAndTheSignal()
    {
        var verdict = LaunchVerdict.Decide([new RankOutcome(0, 4241, 3), new RankOutcome(1, 4242, 137)], stopRequested: false);

        Assert.Equal("asl-worker: exit code 3, a peer was lost: rank 0 (pid 4241) exited with code 3 (lost a peer); " +
            "rank 1 (pid 4242) was killed by SIGKILL (exit code 137)", verdict.ToString());
    }

    [Fact]
    public void ToString_StoppedButCompleted_SaysTheStopCameTooLate()
    {
        var verdict = LaunchVerdict.Decide([new RankOutcome(0, 1, 0), new RankOutcome(1, 2, 0)], stopRequested: true);

        Assert.Equal("asl-worker: exit code 0, done: every rank completed its run before the stop reached it", verdict.ToString());
    }

    [Theory]
    [InlineData(137, false, "rank 2 (pid 77) was killed by SIGKILL (exit code 137)")]
    [InlineData(139, false, "rank 2 (pid 77) was killed by SIGSEGV (exit code 139)")]
    [InlineData(143, false, "rank 2 (pid 77) was killed by SIGTERM (exit code 143)")]
    [InlineData(170, false, "rank 2 (pid 77) was killed by signal 42 (exit code 170)")]
    [InlineData(130, false, "rank 2 (pid 77) exited with code 130 (interrupted)")]
    [InlineData(3, false, "rank 2 (pid 77) exited with code 3 (lost a peer)")]
    [InlineData(1, false, "rank 2 (pid 77) exited with code 1")]
    [InlineData(193, false, "rank 2 (pid 77) exited with code 193")]
    [InlineData(-1, false, "rank 2 (pid 77) ended abnormally with code -1")]
    [InlineData(137, true, "rank 2 (pid 77) was still running at the end of the grace period and was killed")]
    public void Describe_EachEnding_SaysHowTheRankEnded(int code, bool byLauncher, string expected) =>
        Assert.Equal(expected, new RankOutcome(2, 77, code, byLauncher).Describe());

    [Fact]
    public void Decide_NoRanks_Throws() =>
        Assert.Throws<ArgumentException>(() => LaunchVerdict.Decide([], stopRequested: false));

    /// <summary>Every sequence of 1 to <paramref name="maxRanks"/> indexes into <see cref="Endings"/>.</summary>
    private static IEnumerable<int[]> Combinations(int maxRanks)
    {
        IEnumerable<int[]> level = Enumerable.Range(0, Endings.Length).Select(e => new[] { e }).ToList();
        for (int n = 1; n <= maxRanks; n++)
        {
            foreach (var c in level)
                yield return c;
            level = level.SelectMany(c => Enumerable.Range(0, Endings.Length).Select(e => c.Append(e).ToArray())).ToList();
        }
    }
}
