using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;
using Asl.Distributed.Security;
using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// The worker agent of <c>asl-worker join</c>: registers with the coordinator, keeps its order stream open and
/// heartbeats, runs each assigned attempt in this process with the trainer, reports epochs, completions and failures
/// in order (held while the coordinator is away and delivered once it is back), and stops gracefully: on shutdown its
/// attempts stop at their next safe point with their checkpoints intact and are released to the coordinator.
/// </summary>
public sealed partial class WorkerAgent : IDisposable
{
    private readonly JoinOptions _options;
    private readonly TimeProvider _time;
    private readonly AgentLog _log;
    private readonly ReportOutbox _outbox;
    private readonly AttemptRunner _runner;
    private readonly IReadOnlyList<CoordinatorLink> _links;
    private readonly ReconnectBackoff _backoff;
    private readonly EpochHold? _hold = EpochHold.FromEnvironment();
    private readonly string _device;
    private readonly string _runtime;
    private readonly Lock _gate = new();
    private readonly Dictionary<AttemptKey, TrialAttemptRun> _attempts = [];
    private readonly Dictionary<AttemptKey, Task> _runs = [];
    private bool _stopping;
    private Task _drained = Task.CompletedTask;
    private long _lastEndSent;

    /// <summary>Prepares the agent; throws a <see cref="Configuration.ConfigException"/> on run.device when its <c>--device</c> cannot be had here.</summary>
    public WorkerAgent(JoinOptions options, TextWriter output, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _time = time;
        _log = new AgentLog(loggers.CreateLogger("asl-worker.agent"));
        _outbox = new ReportOutbox(_log);
        (_device, _runtime) = AgentDevice.Describe(options.Device);
        _runner = new AttemptRunner(output, loggers, time, _log, options.PeerEndpoint, options.Device);
        var ca = options.TlsCaPath is { } path ? PrivateCa.Load(path) : null;
        _links = [.. options.Coordinators.Select(address => new CoordinatorLink(address, options.Token, options.CallTimeout, ca))];
        _backoff = new ReconnectBackoff(options.InitialBackoff, options.MaxBackoff, options.BackoffJitter, ReconnectBackoff.SeedOf(options.WorkerId));
    }

    /// <summary>
    /// Serves the coordinator until <paramref name="shutdown"/> (SIGTERM, Ctrl-C), then stops gracefully. Returns the
    /// exit code: 130 after a shutdown, 2 when the coordinator refused the worker (its token or id).
    /// </summary>
    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        using var life = new CancellationTokenSource();
        var sending = _outbox.RunAsync(ConnectionLost, life.Token);
        var session = SessionLoopAsync(life.Token);
        try
        {
            await Task.WhenAny(session, Task.Delay(Timeout.Infinite, shutdown)).ConfigureAwait(false);
            int refused = session.IsCompleted ? await session.ConfigureAwait(false) : 0;
            await StopAsync().ConfigureAwait(false);
            return session.IsCompleted && refused != 0 ? refused : RunExitCodes.Interrupted;
        }
        finally
        {
            await life.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(sending, session).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            _log.Stopped();
        }
    }

    public void Dispose()
    {
        foreach (var link in _links)
            link.Dispose();
    }

    /// <summary>The attempts this worker has not finished reporting, as registrations and heartbeats list them.</summary>
    private List<RunningAttempt> Running()
    {
        lock (_gate)
            return [.. _attempts.Values.Select(a => a.ToRunning())];
    }

    private void Start(TrialAssignment assignment)
    {
        var key = new AttemptKey(assignment.TrialId, assignment.Attempt);
        TrialAttemptRun attempt;
        Task run;
        string? declined = null;
        lock (_gate)
        {
            if (_attempts.ContainsKey(key))
            {
                _log.DuplicateAssignment(key.ToString());
                return;
            }
            int training = _attempts.Values.Count(a => a.Training);
            if (_stopping)
                declined = "this worker agent is stopping";
            else if (training >= _options.Capacity)
                declined = $"this worker already runs {training} attempt(s) (--capacity {_options.Capacity})";
            attempt = new TrialAttemptRun(assignment) { Received = _time.GetTimestamp() };
            // The trainer blocks its thread for the whole run; it gets a thread of its own.
            run = new Task(() => Run(attempt), TaskCreationOptions.LongRunning);
            if (declined is null)
            {
                _attempts[key] = attempt;
                _runs[key] = run;
            }
        }
        if (declined is not null)
        {
            _log.Declined(key.ToString(), declined);
            _outbox.Enqueue(Failure(attempt, FailureKind.Released, declined, RunExitCodes.Interrupted, ""));
            return;
        }
        _log.Assigned(key.ToString(), assignment.Rank, assignment.WorldSize,
            assignment.ResumeCheckpoint.Length > 0 ? $"resuming from {assignment.ResumeCheckpoint}" : "from scratch", assignment.OutputDir);
        run.Start(TaskScheduler.Default);
    }

    /// <summary>The attempt's whole life on its own thread: the trainer blocks it, reports go through the outbox.</summary>
    private void Run(TrialAttemptRun attempt)
    {
        AttemptOutcome outcome;
        var span = AttemptSpan.Start(attempt.Assignment, _options.WorkerId);
        try
        {
            var observer = new AttemptObserver(attempt, (metrics, checkpoint) => ReportEpoch(attempt, metrics, checkpoint), started => Started(attempt), _log, _hold);
            outcome = _runner.Run(attempt, observer);
        }
        catch (Exception e)
        {
            // The runner turns every failure into an outcome; this only keeps a bug from killing the agent silently.
            outcome = new AttemptOutcome(RunExitReason.Failed, AttemptRunner.OneLine(e.Message), attempt.LastCheckpoint ?? "");
        }
        attempt.Training = false;
        AttemptSpan.End(span, outcome);
        _log.AttemptEnded(attempt.Key.ToString(), Describe(outcome));
        // While the agent stops, an attempt's end is reported only once the coordinator knows the worker drains, so
        // that a released trial does not come straight back here (the wait is bounded by the drain's own deadline).
        Task drained;
        lock (_gate)
            drained = _drained;
        drained.GetAwaiter().GetResult();
        if (attempt.TryMarkEndReported())
            _outbox.Enqueue(EndReport(attempt, outcome));
    }

    private void Started(TrialAttemptRun attempt)
    {
        AgentMetrics.Setup.Record(_time.GetElapsedTime(attempt.Received).TotalMilliseconds);
        long previous = Interlocked.Exchange(ref _lastEndSent, 0);
        if (previous == 0)
            return;
        double milliseconds = _time.GetElapsedTime(previous).TotalMilliseconds;
        AgentMetrics.StartAfterPreviousEnd.Record(milliseconds);
        _log.StartAfterPrevious(attempt.Key.ToString(), milliseconds);
    }

    private void Stop(AttemptKey key, string reason)
    {
        TrialAttemptRun? attempt;
        lock (_gate)
            _attempts.TryGetValue(key, out attempt);
        if (attempt is not { Training: true })
        {
            _log.UnknownStop(key.ToString());
            return;
        }
        _log.StopOrdered(key.ToString(), reason);
        attempt.Cancel(reason);
    }

    /// <summary>
    /// Stops every attempt at its next safe point, waits for them (at most <see cref="JoinOptions.StopGrace"/>), and
    /// tries to deliver what is left to report, their RELEASED failures last, for at most <see cref="JoinOptions.ReleaseTimeout"/>.
    /// </summary>
    private async Task StopAsync()
    {
        List<(TrialAttemptRun Attempt, Task Run)> running;
        lock (_gate)
        {
            _stopping = true;
            running = [.. _attempts.Values.Where(a => a.Training).Select(a => (a, _runs[a.Key]))];
        }
        if (running.Count > 0)
            _log.Stopping(running.Count);
        // The attempts are told to stop at once, not after a network call; the coordinator is told meanwhile that this
        // worker drains, and their end reports wait for that (see Run), so a released trial does not come straight
        // back. The call takes its time from the reports' budget: the agent still exits within StopGrace + ReleaseTimeout.
        long drainBegan = _time.GetTimestamp();
        using var bound = new CancellationTokenSource(_options.ReleaseTimeout, _time);
        var draining = CurrentLink() is { } link ? DrainAsync(link, bound.Token) : Task.CompletedTask;
        lock (_gate)
            _drained = draining;
        foreach (var (attempt, _) in running)
            attempt.Cancel("the worker agent is stopping (SIGTERM or Ctrl-C); released at a safe point with its checkpoint");
        await draining.ConfigureAwait(false);
        var reportBudget = _options.ReleaseTimeout - _time.GetElapsedTime(drainBegan);
        try
        {
            await Task.WhenAll(running.Select(r => r.Run)).WaitAsync(_options.StopGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var (attempt, _) in running.Where(r => !r.Run.IsCompleted))
            {
                // Its checkpoints are written atomically: the last one is whole even if the process ends mid-write.
                string checkpoint = attempt.Rank == 0 ? attempt.LastCheckpoint ?? "" : "";
                _log.NotStoppedInTime(attempt.Key.ToString(), _options.StopGrace.TotalSeconds, checkpoint);
                if (attempt.TryMarkEndReported())
                {
                    _outbox.Enqueue(EndReport(attempt, new AttemptOutcome(RunExitReason.Interrupted,
                        $"the worker agent is stopping and the run was not at a safe point within {_options.StopGrace.TotalSeconds:G} s", checkpoint)));
                }
            }
        }
        try
        {
            await _outbox.WhenEmptyAsync(CancellationToken.None).WaitAsync(reportBudget > TimeSpan.Zero ? reportBudget : TimeSpan.Zero, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.ReportsLeft(_outbox.Count, _options.ReleaseTimeout.TotalSeconds);
        }
    }
}
