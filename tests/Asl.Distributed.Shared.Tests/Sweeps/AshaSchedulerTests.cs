using System.Globalization;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>
/// ASHA's rungs and decisions: a sequence worked by hand, the corner cases of Ray Tune's rule, and a long random
/// sequence replayed by an independent Python statement of the rule over NumPy's <c>nanpercentile</c>.
/// </summary>
public sealed class AshaSchedulerTests
{
    [Fact]
    public void Milestones_ManySettings_AreRaysRungs()
    {
        // Ray's _Bracket: int(log(max_t / grace) / log(η) + 1) rungs at grace·η^k.
        (int Grace, double Eta, int Max)[] settings =
            [(1, 4, 16), (1, 4, 15), (1, 3, 27), (2, 2, 8), (1, 2.5, 40), (3, 3, 81), (5, 10, 500), (1, 4, 1), (4, 4, 63), (1, 1.5, 100)];
        const string Script = """
            import sys
            import numpy as np
            for item in sys.argv[1:]:
                grace, eta, max_t = int(item.split(",")[0]), float(item.split(",")[1]), int(item.split(",")[2])
                count = int(np.log(max_t / grace) / np.log(eta) + 1)
                print(" ".join(repr(float(grace * eta ** k)) for k in range(count)))
            """;
        var lines = PythonReference.Run(Script, settings.Select(s => FormattableString.Invariant($"{s.Grace},{s.Eta:R},{s.Max}")).ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < settings.Length; i++)
        {
            var (grace, eta, max) = settings[i];
            var expected = lines[i].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture));
            Assert.Equal(expected, new AshaScheduler(eta, grace, max, MetricMode.Max).Milestones);
        }
    }

    [Fact]
    public void CutoffPercent_EtaFour_IsSeventyFive()
    {
        Assert.Equal(75, new AshaScheduler(4, 1, 16, MetricMode.Max).CutoffPercent);
    }

    [Fact]
    public void Decide_HandWorkedSequence_StopsBelowEachRungsMedian()
    {
        // η = 2 (cutoff: the median), rungs at epochs 1, 2 and 4.
        var asha = new AshaScheduler(2, 1, 4, MetricMode.Max);
        var records = new List<AshaRecord>();
        AshaDecision Step(int trial, int epoch, double value)
        {
            var decision = asha.Decide(records, trial, epoch, value);
            if (decision.Record is { } record)
                records.Add(record);
            return decision;
        }

        Assert.Equal(new AshaDecision(AshaAction.Continue, new AshaRecord(0, 0, 0.5), null), Step(0, 1, 0.5));  // first at rung 0
        Assert.Equal(new AshaDecision(AshaAction.Stop, new AshaRecord(0, 1, 0.3), 0.5), Step(1, 1, 0.3));       // median of [0.5]
        Assert.Equal(new AshaDecision(AshaAction.Continue, new AshaRecord(0, 2, 0.7), 0.4), Step(2, 1, 0.7));   // median of [0.5, 0.3]
        Assert.Equal(new AshaDecision(AshaAction.Continue, new AshaRecord(1, 0, 0.6), null), Step(0, 2, 0.6));  // first at rung 1
        Assert.Equal(new AshaDecision(AshaAction.Stop, new AshaRecord(0, 3, 0.45), 0.5), Step(3, 1, 0.45));     // median of [0.5, 0.3, 0.7]
        Assert.Equal(new AshaDecision(AshaAction.Stop, new AshaRecord(1, 2, 0.55), 0.6), Step(2, 2, 0.55));     // median of [0.6]
        Assert.Equal(new AshaDecision(AshaAction.Continue, null, null), Step(0, 3, 0.65));                       // between rungs
        Assert.Equal(new AshaDecision(AshaAction.Complete, new AshaRecord(2, 0, 0.8), null), Step(0, 4, 0.8));  // max_epochs
        // Median of [0.3, 0.45, 0.5, 0.7] is 0.475; a result equal to the cutoff continues (Ray stops only below it).
        var tie = Step(4, 1, 0.5);
        Assert.Equal(AshaAction.Continue, tie.Action);
        Assert.Equal(0.475, tie.Cutoff!.Value, 12);
        Assert.Equal(new AshaDecision(AshaAction.Continue, new AshaRecord(0, 5, 0.5), 0.5), Step(5, 1, 0.5));   // median of [.., 0.5, 0.5]
    }

    [Fact]
    public void Decide_ModeMin_MirrorsModeMaxOnNegatedValues()
    {
        var max = new AshaScheduler(3, 1, 9, MetricMode.Max);
        var min = new AshaScheduler(3, 1, 9, MetricMode.Min);
        var recordsMax = new List<AshaRecord>();
        var recordsMin = new List<AshaRecord>();
        var random = new Xoshiro256StarStar(5);
        for (int trial = 0; trial < 30; trial++)
        {
            for (int epoch = 1; epoch <= 9; epoch++)
            {
                double value = random.NextDouble();
                var up = max.Decide(recordsMax, trial, epoch, value);
                var down = min.Decide(recordsMin, trial, epoch, -value);
                Assert.Equal(up.Action, down.Action);
                Assert.Equal(up.Cutoff.HasValue, down.Cutoff.HasValue);
                if (up.Cutoff is { } cutoff)
                    Assert.Equal(-cutoff, down.Cutoff!.Value);
                if (up.Record is { } record)
                {
                    recordsMax.Add(record);
                    recordsMin.Add(record with { Value = -record.Value });
                }
                if (up.Action != AshaAction.Continue)
                    break;
            }
        }
        Assert.Contains(recordsMax, r => r.Rung == 2);
    }

    [Fact]
    public void Decide_ModeMin_StopsTheLargerLoss()
    {
        var asha = new AshaScheduler(2, 1, 4, MetricMode.Min);
        AshaRecord[] records = [new(0, 0, 1.0)];
        Assert.Equal(AshaAction.Stop, asha.Decide(records, 1, 1, 1.5).Action);
        Assert.Equal(AshaAction.Continue, asha.Decide(records, 1, 1, 0.5).Action);
    }

    [Fact]
    public void Decide_NaNResult_StopsTheTrialAndIsRecorded()
    {
        var asha = new AshaScheduler(4, 1, 16, MetricMode.Max);
        var decision = asha.Decide([], 0, 1, double.NaN);
        Assert.Equal(AshaAction.Stop, decision.Action);
        Assert.Equal(0, decision.Record!.Rung);
        Assert.True(double.IsNaN(decision.Record.Value));
    }

    [Fact]
    public void Decide_RungHoldingOnlyNaN_HasNoCutoff()
    {
        var asha = new AshaScheduler(4, 1, 16, MetricMode.Max);
        var decision = asha.Decide([new AshaRecord(0, 0, double.NaN)], 1, 1, 0.01);
        Assert.Equal(new AshaDecision(AshaAction.Continue, new AshaRecord(0, 1, 0.01), null), decision);
    }

    [Fact]
    public void Decide_RecordedNaN_IsLeftOutOfTheCutoff()
    {
        var asha = new AshaScheduler(2, 1, 4, MetricMode.Max);
        AshaRecord[] records = [new(0, 0, double.NaN), new(0, 1, 0.2), new(0, 2, 0.4)];
        var decision = asha.Decide(records, 3, 1, 0.29);
        Assert.Equal(AshaAction.Stop, decision.Action);
        Assert.Equal(0.3, decision.Cutoff!.Value, 15);
    }

    [Fact]
    public void Decide_FirstResultPastARungNotYetRecorded_IsRecordedAtTheHighestRungReached()
    {
        // Rungs at 1, 4 and 16; a trial resumed from a checkpoint first reports epoch 5.
        var asha = new AshaScheduler(4, 1, 16, MetricMode.Max);
        var decision = asha.Decide([new AshaRecord(1, 0, 0.9)], 7, 5, 0.5);
        Assert.Equal(new AshaDecision(AshaAction.Stop, new AshaRecord(1, 7, 0.5), 0.9), decision);
    }

    [Fact]
    public void Decide_MaxEpochsBelowTheCutoff_CompletesWithItsRecord()
    {
        var asha = new AshaScheduler(2, 1, 4, MetricMode.Max);
        var decision = asha.Decide([new AshaRecord(2, 0, 0.9), new AshaRecord(0, 1, 0.1), new AshaRecord(1, 1, 0.1)], 1, 4, 0.1);
        Assert.Equal(new AshaDecision(AshaAction.Complete, new AshaRecord(2, 1, 0.1), 0.9), decision);
    }

    [Fact]
    public void Decide_MaxEpochsNotARung_CompletesWithoutARecord()
    {
        // η = 4, grace 1, max 10: rungs at 1 and 4 only.
        var asha = new AshaScheduler(4, 1, 10, MetricMode.Max);
        Assert.Equal(new AshaDecision(AshaAction.Complete, null, null), asha.Decide([new AshaRecord(0, 0, 1), new AshaRecord(1, 0, 1)], 0, 10, 1));
    }

    [Fact]
    public void Decide_RecordOfAnUnknownRung_Throws()
    {
        var asha = new AshaScheduler(4, 1, 16, MetricMode.Max);
        Assert.Throws<ArgumentException>(() => asha.Decide([new AshaRecord(3, 0, 1)], 1, 1, 1));
    }

    [Theory]
    [InlineData(1.0, 1, 8)]
    [InlineData(4.0, 0, 8)]
    [InlineData(4.0, 4, 3)]
    public void Constructor_SettingsRayRefuses_Throw(double eta, int grace, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AshaScheduler(eta, grace, max, MetricMode.Max));
    }

    [Fact]
    public void For_AshaSpec_TakesItsSettingsAndMode()
    {
        var spec = SweepSpecReader.Parse("name: a\nalgorithm: {kind: asha, max_epochs: 27, reduction_factor: 3, grace_period: 3}\nmetric: {mode: min}\n");
        var asha = AshaScheduler.For(spec);
        Assert.Equal([3.0, 9.0, 27.0], asha.Milestones);
        Assert.Equal(MetricMode.Min, asha.Mode);
        Assert.Throws<ArgumentException>(() => AshaScheduler.For(SweepSpecReader.Parse(SpecText.Minimal)));
    }

    [Theory]
    [InlineData("max")]
    [InlineData("min")]
    public void Decide_LongRandomSequence_AgreesWithAPythonStatementOfRaysRule(string mode)
    {
        // 40 trials report epochs in an interleaved order until stopped or complete; values are rounded (ties) and
        // 3 % are NaN. Python decides each result again from the same events (the NaN stop being this project's
        // one difference from Ray, added there too).
        var asha = new AshaScheduler(3, 1, 27, mode == "max" ? MetricMode.Max : MetricMode.Min);
        var random = new Xoshiro256StarStar(99);
        var records = new List<AshaRecord>();
        var epochs = new int[40];
        var alive = Enumerable.Range(0, 40).ToList();
        var events = new List<string>();
        var actions = new List<string>();
        while (alive.Count > 0)
        {
            int trial = alive[(int)random.NextBelow((ulong)Math.Min(alive.Count, 6))];
            int epoch = ++epochs[trial];
            double value = random.NextDouble() < 0.03 ? double.NaN : Math.Round(random.NextDouble() * 20) / 20;
            var decision = asha.Decide(records, trial, epoch, value);
            if (decision.Record is { } record)
                records.Add(record);
            if (decision.Action != AshaAction.Continue)
                alive.Remove(trial);
            events.Add(FormattableString.Invariant($"{trial} {epoch} {value:R}"));
            actions.Add(decision.Action.ToString().ToLowerInvariant());
        }
        const string Script = """
            import sys, warnings
            import numpy as np
            warnings.simplefilter("ignore")
            eta, grace, max_t, sign = 3.0, 1, 27, (1.0 if sys.argv[1] == "max" else -1.0)
            milestones = [grace * eta ** k for k in range(int(np.log(max_t / grace) / np.log(eta) + 1))]
            recorded = [dict() for _ in milestones]
            for line in sys.argv[2].split("\n"):
                trial, epoch, value = int(line.split()[0]), int(line.split()[1]), float(line.split()[2])
                reward = sign * value
                action = "continue"
                for rung in reversed(range(len(milestones))):
                    if epoch < milestones[rung] or trial in recorded[rung]:
                        continue
                    values = list(recorded[rung].values())
                    if values and reward < np.nanpercentile(values, (1 - 1 / eta) * 100):
                        action = "stop"
                    if np.isnan(reward):
                        action = "stop"
                    recorded[rung][trial] = reward
                    break
                if epoch >= max_t:
                    action = "complete"
                print(action)
            """;

        var expected = PythonReference.Run(Script, mode, string.Join('\n', events)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(expected, actions);
        Assert.Contains("stop", actions);
        Assert.Contains("complete", actions);
    }
}
