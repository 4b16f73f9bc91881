using System.Net;
using System.Text.Json;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Worker.Tests.Agent.TestHub;
using Grpc.Core;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>
/// The agent's logic with a real trainer in the test process and a stand-in coordinator over loopback gRPC: what it
/// registers and heartbeats, how it reports a trial epoch by epoch, stops when told (by an answer, an order or at
/// registration), refuses a bad config, resumes a retry, and drops a refused report. Every wait is on an event (a
/// call reaching the hub, a line of the agent); epoch answers held on a gate pin the trainer at an epoch's end.
/// </summary>
[Collection(InProcessAgents.Name)]
public sealed class AgentTrialTests : IDisposable
{
    private static readonly Task<EpochReportReply> Proceed = Task.FromResult(new EpochReportReply { Proceed = true });
    private readonly TrialFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Join_RegistersItsIdentityThenHeartbeatsItsRunningAttempt()
    {
        var hub = new StandInHub();
        var gate = new TaskCompletionSource<EpochReportReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.AnswerEpoch = r => r.Metrics.Epoch == 1 ? gate.Task : Proceed;
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server, "worker-a", o => o with { Capacity = 2, Device = ComputeDevice.Cpu, PeerPort = 29555 });

        var register = await Hang.Guard(hub.WaitForAsync<RegisterWorkerRequest>(), "the registration");
        Assert.Equal("worker-a", register.WorkerId);
        Assert.Equal(Dns.GetHostName(), register.Host);
        // The device it trains on, resolved and described as `asl-worker devices` describes it, and its versions.
        Assert.Matches($@"^cpu: {Environment.ProcessorCount} cores, \d+ torch threads, bfloat16 (yes|no)$", Assert.Single(register.Devices));
        Assert.Matches(@"^TorchSharp 0\.107\.\S+, libtorch 2\.\S+, no CUDA$", register.Runtime);
        Assert.Equal("127.0.0.1:29555", register.PeerEndpoint);
        Assert.Equal(2, register.Capacity);
        Assert.Empty(register.Running);
        var stream = await Hang.Guard(hub.WaitForAsync<AssignmentsRequest>(), "the order stream");
        Assert.Equal("worker-a", stream.WorkerId);
        var idle = await Hang.Guard(hub.WaitForAsync<HeartbeatRequest>(), "a heartbeat");
        Assert.Equal("worker-a", idle.WorkerId);
        Assert.Empty(idle.Running);

        hub.Start("worker-a", _folder.Assignment("t1", epochs: 3));
        // Held on epoch 1's answer, the attempt stands at epoch 1 until the gate opens.
        var report = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is EpochReport), "epoch 1's report");
        var beat = (HeartbeatRequest)(await Hang.Guard(hub.WaitForCallAsync(c => c.Sequence > report.Sequence && c.Request is HeartbeatRequest), "a heartbeat")).Request;
        var running = Assert.Single(beat.Running);
        Assert.Equal(("t1", 1, 0, 1), (running.TrialId, running.Attempt, running.Rank, running.Epoch));

        gate.SetResult(new EpochReportReply { Proceed = true });
        var completed = await Hang.Guard(hub.WaitForCallAsync(c => c.Request is TrialCompletion), "the completion");
        // Listed as running until its completion was delivered, and no longer after.
        var after = (HeartbeatRequest)(await Hang.Guard(hub.WaitForCallAsync(c => c.Sequence > completed.Sequence && c.Request is HeartbeatRequest), "a heartbeat")).Request;
        Assert.Empty(after.Running);
    }

    [Fact]
    public async Task Join_FirstCoordinatorAddressDown_RegistersWithTheNext()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        var down = new Uri($"http://127.0.0.1:{LoopbackPorts.Free(1)[0]}");
        await using var agent = new InProcessAgent(server, "worker-a", o => o with { Coordinators = [down, server.Address] });

        await Hang.Guard(hub.WaitForAsync<AssignmentsRequest>(), "the order stream on the second address");
        Assert.Contains($"coordinator {down} unavailable (Unavailable", agent.Output);
        Assert.Contains($"registered with {server.Address} as worker-a", agent.Output);
    }

    [Fact]
    public async Task Trial_OneWorker_ReportsEveryEpochWithItsCheckpointThenCompletes()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 3));

        var completion = await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "the completion");
        string output = _folder.Output("t1");
        string last = Path.Combine(output, "last.ckpt");
        var reports = hub.Requests<EpochReport>();
        Assert.Equal([1, 2, 3], reports.Select(r => r.Metrics.Epoch));
        // The run's own record of each epoch (metrics.jsonl, written by the trainer) is what was reported.
        var lines = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonSerializer.Deserialize<Runs.EpochMetrics>(l, RunJson.Options)!).ToList();
        foreach (var (report, line) in reports.Zip(lines))
        {
            Assert.Equal(("worker-a", "t1", 1, last), (report.WorkerId, report.TrialId, report.Attempt, report.Checkpoint));
            Assert.Equal((line.Epoch, line.Step, line.TrainLoss, line.Map, line.MapEma, line.Cf1, line.WorldSize),
                (report.Metrics.Epoch, report.Metrics.Step, report.Metrics.TrainLoss, report.Metrics.Map, report.Metrics.MapEma, report.Metrics.Cf1, report.Metrics.WorldSize));
            Assert.Equal(line.ClassAp!, report.Metrics.ClassAp);
            Assert.Equal(line.Durations!.Validation, report.Metrics.Durations.Validation);
        }
        Assert.Equal(("worker-a", "t1", 1, false, last), (completion.WorkerId, completion.TrialId, completion.Attempt, completion.StoppedEarly, completion.Checkpoint));
        Assert.Equal(3, CheckpointFile.ReadState(last).Epoch);
        Assert.Empty(hub.Requests<TrialFailure>());
        Assert.Contains("epoch 3/3 done: loss", agent.Output);
    }

    [Fact]
    public async Task ProceedFalse_StopsAtThatEpochsEndAndCompletesStoppedEarly()
    {
        var hub = new StandInHub { AnswerEpoch = r => Task.FromResult(new EpochReportReply { Proceed = r.Metrics.Epoch < 2, Reason = "below the rung's top quarter" }) };
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 5));

        var completion = await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "the completion");
        Assert.True(completion.StoppedEarly);
        Assert.Equal([1, 2], hub.Requests<EpochReport>().Select(r => r.Metrics.Epoch));
        string output = _folder.Output("t1");
        Assert.Equal(Path.Combine(output, "last.ckpt"), completion.Checkpoint);
        Assert.Equal(2, CheckpointFile.ReadState(completion.Checkpoint).Epoch);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal("stopped", summary.RootElement.GetProperty("exit_reason").GetString());
        Assert.Equal("below the rung's top quarter", summary.RootElement.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task StopTrialOrder_StopsAtTheNextSafePointAndReleasesWithTheCheckpoint()
    {
        var hub = new StandInHub();
        var gate = new TaskCompletionSource<EpochReportReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.AnswerEpoch = r => r.Metrics.Epoch == 1 ? gate.Task : Proceed;
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 5));
        await Hang.Guard(hub.WaitForAsync<EpochReport>(), "epoch 1's report");

        hub.Stop("worker-a", "t1", 1, "the sweep was cancelled");
        await agent.WaitForLineAsync(l => l.StartsWith("trial t1 attempt 1: stopped at a safe point", StringComparison.Ordinal));
        gate.SetResult(new EpochReportReply { Proceed = true }); // the report ahead of the failure is answered; the run has ended

        var failure = await Hang.Guard(hub.WaitForAsync<TrialFailure>(), "the failure");
        Assert.Equal(FailureKind.Released, failure.Kind);
        Assert.Contains("stopped by the coordinator: the sweep was cancelled", failure.Reason);
        Assert.Equal(RunExitCodes.Interrupted, failure.ExitCode);
        Assert.Equal(Path.Combine(_folder.Output("t1"), "last.ckpt"), failure.Checkpoint);
        Assert.Equal(1, CheckpointFile.ReadState(failure.Checkpoint).Epoch);
        Assert.Equal([1], hub.Requests<EpochReport>().Select(r => r.Metrics.Epoch));
        Assert.Empty(hub.Requests<TrialCompletion>());
    }

    [Fact]
    public async Task InvalidConfig_FailsTheTrialAsInvalidConfigNamingTheKey()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        var assignment = _folder.Assignment("t1", epochs: 3);
        Assert.Contains("  lr: 0.003\n", assignment.ConfigYaml);
        assignment.ConfigYaml = assignment.ConfigYaml.Replace("  lr: 0.003\n", "  lr: -1\n", StringComparison.Ordinal);
        hub.Start("worker-a", assignment);

        var failure = await Hang.Guard(hub.WaitForAsync<TrialFailure>(), "the failure");
        Assert.Equal(FailureKind.InvalidConfig, failure.Kind);
        Assert.Contains("optimizer.lr: -1 is out of range", failure.Reason);
        Assert.DoesNotContain('\n', failure.Reason);
        Assert.Equal(RunExitCodes.InvalidConfig, failure.ExitCode);
        Assert.Equal("", failure.Checkpoint);
        Assert.Empty(hub.Requests<EpochReport>());
        Assert.False(Directory.Exists(_folder.Output("t1")));
    }

    [Fact]
    public async Task MissingResumeCheckpoint_FailsTheAttemptAsAnErrorNamingIt()
    {
        var hub = new StandInHub();
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        string missing = Path.Combine(_folder.Path, "elsewhere", "last.ckpt");
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 3, attempt: 2, resume: missing));

        var failure = await Hang.Guard(hub.WaitForAsync<TrialFailure>(), "the failure");
        Assert.Equal((FailureKind.Error, RunExitCodes.Failed, 2), (failure.Kind, failure.ExitCode, failure.Attempt));
        Assert.Contains($"resume_checkpoint '{missing}' does not exist on this worker", failure.Reason);
    }

    [Fact]
    public async Task Retry_ResumesFromTheCheckpointAndEndsAsARunNeverStopped()
    {
        var hub = new StandInHub
        {
            AnswerEpoch = r => Task.FromResult(new EpochReportReply { Proceed = !(r.TrialId == "t1" && r.Attempt == 1 && r.Metrics.Epoch == 2) }),
        };
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 4));
        var first = await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "attempt 1's end");
        Assert.True(first.StoppedEarly);

        hub.Start("worker-a", _folder.Assignment("t1", epochs: 4, attempt: 2, resume: first.Checkpoint));
        var second = await Hang.Guard(hub.WaitForAsync<TrialCompletion>(c => c.Attempt == 2), "attempt 2's end");
        Assert.False(second.StoppedEarly);
        Assert.Equal([3, 4], hub.Requests<EpochReport>().Where(r => r.Attempt == 2).Select(r => r.Metrics.Epoch));

        // The same trial never stopped, in the same process: exact resume makes the same last epoch.
        hub.Start("worker-a", _folder.Assignment("straight", epochs: 4));
        await Hang.Guard(hub.WaitForAsync<TrialCompletion>(c => c.TrialId == "straight"), "the straight run's end");
        var resumed = hub.Requests<EpochReport>().Single(r => r.TrialId == "t1" && r.Metrics.Epoch == 4).Metrics;
        var straight = hub.Requests<EpochReport>().Single(r => r.TrialId == "straight" && r.Metrics.Epoch == 4).Metrics;
        Assert.Equal((straight.Step, straight.TrainLoss, straight.Map, straight.MapEma), (resumed.Step, resumed.TrainLoss, resumed.Map, resumed.MapEma));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(_folder.Output("t1"), "metrics.jsonl")).Length);
    }

    [Fact]
    public async Task RefusedReport_IsDroppedNotRetriedAndLaterReportsArrive()
    {
        var hub = new StandInHub { RefuseReport = m => m is EpochReport { Metrics.Epoch: 1 } ? StatusCode.FailedPrecondition : null };
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 3));

        await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "the completion");
        var reports = hub.Calls.Where(c => c.Request is EpochReport).ToList();
        Assert.Equal([1, 2, 3], reports.Select(c => ((EpochReport)c.Request).Metrics.Epoch));
        Assert.Equal([StatusCode.FailedPrecondition, null, null], reports.Select(c => c.Refusal));
        Assert.Contains("the report of epoch 1 of trial t1 attempt 1 was refused and is dropped (FailedPrecondition", agent.Output);
    }

    [Fact]
    public async Task Reregistration_ListsTheRunningAttemptAndTheReplysStopListStopsIt()
    {
        var hub = new StandInHub { StopAtRegistration = r => r.Running.Where(a => a.TrialId == "t1") };
        var gate = new TaskCompletionSource<EpochReportReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.AnswerEpoch = r => r.Metrics.Epoch == 1 ? gate.Task : Proceed;
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 50));
        await Hang.Guard(hub.WaitForAsync<EpochReport>(), "epoch 1's report");

        hub.Forget("worker-a"); // its next heartbeat hears "unknown", and it registers again
        var again = await Hang.Guard(hub.WaitForAsync<RegisterWorkerRequest>(r => r.Running.Count > 0), "the second registration");
        var running = Assert.Single(again.Running);
        Assert.Equal(("t1", 1, 0), (running.TrialId, running.Attempt, running.Rank));
        Assert.InRange(running.Epoch, 1, 50);
        await agent.WaitForLineAsync(l => l.StartsWith("trial t1 attempt 1: stopped at a safe point", StringComparison.Ordinal));
        gate.SetResult(new EpochReportReply { Proceed = true });

        var failure = await Hang.Guard(hub.WaitForAsync<TrialFailure>(), "the failure");
        Assert.Equal(FailureKind.Released, failure.Kind);
        Assert.Contains("no longer runs it here", failure.Reason);
        // The checkpoint released is the last one reported (reports are delivered in order, the failure last).
        int lastReported = hub.Requests<EpochReport>().Max(r => r.Metrics.Epoch);
        Assert.Equal(lastReported, CheckpointFile.ReadState(failure.Checkpoint).Epoch);
        Assert.True(lastReported < 50);
    }

    [Fact]
    public async Task AssignmentBeyondCapacity_IsReleasedAndADuplicateIsIgnored()
    {
        var hub = new StandInHub();
        var gate = new TaskCompletionSource<EpochReportReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.AnswerEpoch = r => r.Metrics.Epoch == 1 ? gate.Task : Proceed;
        await using var server = await StandInHubServer.StartAsync(hub);
        await using var agent = new InProcessAgent(server);
        hub.Start("worker-a", _folder.Assignment("t1", epochs: 2));
        await Hang.Guard(hub.WaitForAsync<EpochReport>(), "epoch 1's report");

        hub.Start("worker-a", _folder.Assignment("t1", epochs: 2));
        hub.Start("worker-a", _folder.Assignment("t2", epochs: 2));
        await agent.WaitForLineAsync(l => l.Contains("trial t2 attempt 1: not started", StringComparison.Ordinal));
        Assert.Contains("trial t1 attempt 1: assigned again while it runs", agent.Output);
        // Reports go out in order: t2's release follows epoch 1's report, held until now.
        gate.SetResult(new EpochReportReply { Proceed = true });

        var declined = await Hang.Guard(hub.WaitForAsync<TrialFailure>(), "t2's release");
        Assert.Equal(("t2", FailureKind.Released), (declined.TrialId, declined.Kind));
        Assert.Contains("(--capacity 1)", declined.Reason);
        await Hang.Guard(hub.WaitForAsync<TrialCompletion>(), "t1's completion");
        Assert.Equal([1, 2], hub.Requests<EpochReport>().Select(r => r.Metrics.Epoch));
        Assert.Single(hub.Requests<TrialFailure>());
    }
}
