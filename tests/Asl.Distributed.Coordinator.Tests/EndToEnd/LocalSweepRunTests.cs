using System.Text.Json;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary><c>asl sweep run --local-workers 2</c> as a user runs it: real asl and asl-worker processes that train.</summary>
public sealed class LocalSweepRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-sweep-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SweepRun_TwoLocalWorkers_TrainsEveryTrialWritesResultsAndASecondRunResumesWithoutTraining()
    {
        File.WriteAllText(Path.Combine(_folder, "tiny.yaml"), EndToEndSpecs.Tiny("tiny", 2, 1, 4));
        string dir = Path.Combine(_folder, "coordinator");

        string output;
        using (var run = new RunningProcess(Programs.Start(Programs.Asl, _folder, "sweep", "run", "tiny.yaml", "--local-workers", "2", "--dir", dir)))
        {
            Assert.True(await run.WaitForExit() == 0, run.Output);
            output = run.Output;
        }

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results", "tiny.json")));
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(3, trials.Count);
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("state").GetString()));
        Assert.All(trials, t => Assert.Equal([1, 2], t.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32())));
        // Every trial trained where the coordinator put it, with the settings it was given.
        foreach (var t in trials)
        {
            string trialDir = Path.Combine(dir, "trials", "tiny", t.GetProperty("trial_id").GetString()!);
            Assert.Equal(2, File.ReadAllLines(Path.Combine(trialDir, "metrics.jsonl")).Length);
            string config = File.ReadAllText(Path.Combine(trialDir, "config.yaml"));
            Assert.Contains($"seed: {t.GetProperty("seed").GetInt64()}", config);
        }
        Assert.Contains("gamma_neg: 4", File.ReadAllText(Path.Combine(dir, "trials", "tiny", "tiny.0002", "config.yaml")));
        Assert.Equal(6, results.RootElement.GetProperty("total_epochs").GetInt64());
        string csv = File.ReadAllText(Path.Combine(dir, "results", "tiny.csv"));
        Assert.Equal(4, csv.Trim().Split('\n').Length);
        // The report, where the run said, with every trial and the plots it references.
        string page = Path.Combine(dir, "report", "tiny", "index.html");
        Assert.Contains($"asl: report in {page}", output);
        string html = File.ReadAllText(page);
        Assert.All(trials, t => Assert.Contains(t.GetProperty("trial_id").GetString()!, html));
        var references = Reports.ReportFiles.References(html);
        Assert.Contains("learning-curves.png", references);
        Assert.Contains("class-ap.png", references); // the BCE baseline is a trial of this sweep
        foreach (string file in references)
        {
            string path = Path.Combine(dir, "report", "tiny", file);
            Assert.True(File.Exists(path), $"index.html references {file}, which is not there");
            if (file.EndsWith(".png", StringComparison.Ordinal))
            {
                Assert.Equal((Coordinator.Reports.SweepPlots.Width, Coordinator.Reports.SweepPlots.Height), Reports.ReportFiles.PngSize(path));
                Assert.True(Reports.ReportFiles.Content(path).Drawn > 0.02, $"{file} is nearly blank");
            }
        }

        using var again = new RunningProcess(Programs.Start(Programs.Asl, _folder, "sweep", "run", "tiny.yaml", "--local-workers", "2", "--dir", dir));
        Assert.True(await again.WaitForExit() == 0, again.Output);
        Assert.Contains("resumed from the folder", again.Output);
        using var resumed = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results", "tiny.json")));
        Assert.Equal(6, resumed.RootElement.GetProperty("total_epochs").GetInt64());
    }

    [Fact]
    public async Task SweepRun_InvalidSpec_ExitsTwoNamingEveryProblemAndStoresNothing()
    {
        File.WriteAllText(Path.Combine(_folder, "bad.yaml"), "name: bad\nsearch_space:\n  loss.gamma_negg: {grid: [1]}\nworkers_per_trial: 0\n");
        string dir = Path.Combine(_folder, "coordinator");

        using var run = new RunningProcess(Programs.Start(Programs.Asl, _folder, "sweep", "run", "bad.yaml", "--local-workers", "1", "--dir", dir));

        Assert.Equal(2, await run.WaitForExit());
        Assert.Contains("loss.gamma_negg", run.Output);
        Assert.Contains("workers_per_trial", run.Output);
        Assert.False(Directory.Exists(dir));
    }
}
