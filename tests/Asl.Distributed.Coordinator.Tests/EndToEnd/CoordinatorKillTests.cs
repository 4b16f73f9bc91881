using System.Net;
using System.Net.Sockets;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Hosting;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary><c>asl serve</c> killed with SIGKILL mid-sweep and started again on its folder, with a real worker agent training throughout.</summary>
public sealed class CoordinatorKillTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-serve-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ServeKilledMidSweep_RestartedOnItsFolder_TheSweepCompletesWithEveryEpochOnceAndNoTrialRestarted()
    {
        string dir = Path.Combine(_folder, "coordinator");
        int port = FreePort();
        string[] serve = ["serve", "--dir", dir, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--heartbeat-interval-s", "0.5", "--heartbeat-timeout-s", "60"];
        var coordinator = new RunningProcess(Programs.Start(Programs.Asl, _folder, serve));
        try
        {
            string url = (await coordinator.WaitForLine("coordinator listening on")).Split(' ')[4];
            var agentStart = Programs.Start(Programs.Worker, _folder, "join", "--coordinator", url, "--worker-id", "w0", "--peer-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            agentStart.Environment[TokenFiles.WorkerVariable] = File.ReadAllText(Path.Combine(dir, TokenFiles.WorkerFileName)).Trim();
            using var agent = new RunningProcess(agentStart);
            string clientToken = File.ReadAllText(Path.Combine(dir, TokenFiles.ClientFileName)).Trim();

            using (var channel = CoordinatorAddress.Channel(url, clientToken))
            {
                var client = new SweepService.SweepServiceClient(channel);
                await WaitForWorker(client);
                await client.SubmitSweepAsync(new SubmitSweepRequest { SpecYaml = EndToEndSpecs.Tiny("killed", 3, 1, 4) });
                // Killed once trial 0 has reported its first epoch, while it trains on.
                await FirstEpoch(client, "killed");
            }
            coordinator.Process.Kill();
            await coordinator.WaitForExit();
            coordinator.Dispose();

            coordinator = new RunningProcess(Programs.Start(Programs.Asl, _folder, serve));
            await coordinator.WaitForLine("coordinator listening on");
            using var again = CoordinatorAddress.Channel(url, clientToken);
            var restarted = new SweepService.SweepServiceClient(again);
            await WatchToEnd(restarted, "killed");

            var trials = (await restarted.ListTrialsAsync(new ListTrialsRequest { SweepId = "killed" })).Trials;
            Assert.Equal(3, trials.Count);
            Assert.All(trials, t => Assert.Equal(TrialState.Completed, t.State));
            Assert.All(trials, t => Assert.Equal([1, 2, 3], t.Epochs.Select(e => e.Epoch)));
            Assert.All(trials, t => Assert.Single(t.Attempts));
            // The trainer's own record agrees: three epochs each, none run twice.
            foreach (var t in trials)
                Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "trials", "killed", t.TrialId, "metrics.jsonl")).Length);
            Assert.Equal(SweepState.Finished, (await restarted.GetSweepAsync(new GetSweepRequest { SweepId = "killed" })).State);
        }
        finally
        {
            coordinator.Dispose();
        }
    }

    private static async Task WaitForWorker(SweepService.SweepServiceClient client)
    {
        // The agent registers within moments of starting; nothing else signals it to a client.
        while ((await client.ListWorkersAsync(new ListWorkersRequest())).Workers.Count == 0)
            await Task.Delay(TimeSpan.FromMilliseconds(100));
    }

    private static async Task FirstEpoch(SweepService.SweepServiceClient client, string sweepId)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var call = client.WatchSweep(new WatchSweepRequest { SweepId = sweepId }, cancellationToken: guard.Token);
        while (await call.ResponseStream.MoveNext(guard.Token))
        {
            if (call.ResponseStream.Current.KindCase == SweepEvent.KindOneofCase.Epoch)
                return;
        }
        throw new InvalidOperationException("the sweep's events ended before an epoch");
    }

    private static async Task WatchToEnd(SweepService.SweepServiceClient client, string sweepId)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        using var call = client.WatchSweep(new WatchSweepRequest { SweepId = sweepId }, cancellationToken: guard.Token);
        await foreach (var e in call.ResponseStream.ReadAllAsync(guard.Token))
        {
            if (e.KindCase == SweepEvent.KindOneofCase.SweepEnded)
                return;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
