using System.Text.Json;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;

namespace Asl.Distributed.Coordinator.Tests.Cli;

public sealed class ResultsExportTests
{
    private static TrialInfo Trial(int index, double best, string reason = "", params (string Key, string Value)[] settings)
    {
        var t = new TrialInfo { TrialId = $"s.{index:D4}", Index = index, State = TrialState.Completed, BestMetric = best, Seed = 100 + index, EndReason = reason };
        foreach (var (key, value) in settings)
            t.Settings[key] = value;
        t.Epochs.Add(new EpochMetrics { Epoch = 1, Map = best - 1, MapEma = best });
        return t;
    }

    [Fact]
    public void Csv_OneRowPerTrialWithEverySweptKey_QuotesCellsThatNeedIt()
    {
        var sweep = new SweepInfo { SweepId = "s" };
        TrialInfo[] trials = [Trial(1, 50, "", ("loss.gamma_neg", "2")), Trial(0, 40, "failed: a, \"b\"", ("loss.preset", "bce"))];

        var lines = ResultsExport.Csv(sweep, trials).TrimEnd().Split(Environment.NewLine);

        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Contains("loss.gamma_neg", header);
        Assert.Contains("loss.preset", header);
        Assert.StartsWith("s,s.0000,0,completed,false,100,40,1,0,\"failed: a, \"\"b\"\"\",,bce,1,39,40", lines[1]);
        Assert.StartsWith("s,s.0001,1,completed,false,101,50,1,0,,2,,1,49,50", lines[2]);
    }

    [Fact]
    public void Json_EveryTrialWithItsEpochsAndSettings_NaNWrittenAsNaN()
    {
        var sweep = new SweepInfo { SweepId = "s", BestMetric = double.NaN };

        using var doc = JsonDocument.Parse(ResultsExport.Json(sweep, [Trial(0, 40, "", ("loss.clip", "0.05"))]));

        Assert.Equal("NaN", doc.RootElement.GetProperty("best_metric").GetString());
        var trial = doc.RootElement.GetProperty("trials")[0];
        Assert.Equal("0.05", trial.GetProperty("settings").GetProperty("loss.clip").GetString());
        Assert.Equal(39, trial.GetProperty("epochs")[0].GetProperty("map").GetDouble());
        Assert.Equal(100, trial.GetProperty("seed").GetInt64());
    }

    [Theory]
    [InlineData(true, new[] { "s.0002", "s.0000" })]
    [InlineData(false, new[] { "s.0000", "s.0002" })]
    public void Leaderboard_RanksTrialsWithAMetricByTheSweepsMode(bool maximize, string[] expected)
    {
        var sweep = new SweepInfo { SweepId = "s" };
        TrialInfo[] trials = [Trial(0, 30), Trial(1, double.NaN), Trial(2, 60)];

        var lines = SweepWatcher.Leaderboard(sweep, trials, maximize);

        Assert.Contains("the best 2 of 2 trials with a metric, of 3", lines[0]);
        Assert.Equal(expected, lines.Skip(1).Select(l => l.Trim().Split("  ")[0].Split(". ")[1]));
    }
}
