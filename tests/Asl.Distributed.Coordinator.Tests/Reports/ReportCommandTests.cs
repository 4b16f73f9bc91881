using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Tests.Api;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.Reports;

/// <summary><c>asl sweep report</c> against a real coordinator whose sweep simulated workers ran through the API.</summary>
public sealed class ReportCommandTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-report-cli-").FullName;
    private TestCoordinator _coordinator = null!;

    public async Task InitializeAsync() => _coordinator = await TestCoordinator.Start();

    public async Task DisposeAsync()
    {
        await _coordinator.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task SweepReport_FinishedAshaSweep_WritesThePageWithEveryTrialAndTheRungs()
    {
        await using var worker = new SimulatedWorker(_coordinator.WorkerClient(), "w1", 29501);
        await worker.Join();
        await _coordinator.Client().SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = Specs.Asha("reported", 3) });
        // η 2, grace 1: the first trial goes on at epoch 1; the second, below the cutoff, is stopped there.
        var first = await worker.NextStart();
        for (int epoch = 1; epoch <= 4; epoch++)
            await worker.Report(first, epoch, 50 + epoch);
        await worker.Complete(first);
        var second = await worker.NextStart();
        Assert.False((await worker.Report(second, 1, 30)).Proceed);
        await worker.Complete(second, stoppedEarly: true);
        var third = await worker.NextStart();
        for (int epoch = 1; epoch <= 4; epoch++)
            await worker.Report(third, epoch, 60 + epoch);
        await worker.Complete(third);
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var watch = _coordinator.Client().WatchSweep(new WatchSweepRequest { SweepId = "reported" }, cancellationToken: guard.Token);
            await foreach (var _ in watch.ResponseStream.ReadAllAsync(guard.Token))
            {
            }
        }
        string tokenFile = Path.Combine(_folder, "client.token");
        File.WriteAllText(tokenFile, TestCoordinator.Tokens.ClientToken);
        string report = Path.Combine(_folder, "report");
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = AslCommandLine.Run(["sweep", "report", "reported", "--out", report, "--coordinator", _coordinator.Address, "--token-file", tokenFile], output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.Contains($"asl: report of sweep reported in {Path.Combine(report, "index.html")}", output.ToString());
        string html = File.ReadAllText(Path.Combine(report, "index.html"));
        foreach (string trial in new[] { "reported.0000", "reported.0001", "reported.0002" })
            Assert.Contains(trial, html);
        Assert.Contains("Best: reported.0002 at 64.00 mAP".ToLowerInvariant(), html.ToLowerInvariant());
        Assert.All(ReportFiles.References(html), r => Assert.True(File.Exists(Path.Combine(report, r)), $"index.html references {r}, which is not there"));
        Assert.Contains("rungs.png", ReportFiles.References(html));
        Assert.Equal([1, 2], SweepCommand.RungEpochs((await _coordinator.Client().GetSweepAsync(new GetSweepRequest { SweepId = "reported" })).SpecYaml));
    }
}
