using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Asl.Distributed.Worker.Tests.Agent.TestHub;

/// <summary>
/// The state and behaviour of a stand-in coordinator for worker agents (the WorkerHub service, nothing else): it
/// records every call, lets a test await the call it expects, queues orders for each worker, and answers as the test
/// says (epoch answers that may wait on a gate, reports refused with a status, attempts to stop at registration, a
/// worker forgotten). It outlives its server, so a <see cref="StandInHubServer"/> stopped and started again on the
/// same port is the same coordinator restarted. No assertions: tests, end-to-end tests and benchmarks can share it.
/// </summary>
public sealed class StandInHub
{
    private readonly Lock _gate = new();
    private readonly List<HubCall> _calls = [];
    private readonly List<(Func<HubCall, bool> Match, TaskCompletionSource<HubCall> Found)> _waiters = [];
    private readonly Dictionary<string, WorkerOrders> _orders = [];
    private readonly HashSet<string> _known = [];
    private int _unauthenticated;

    /// <summary>The worker token the hub accepts.</summary>
    public string Token { get; init; } = "stand-in-worker-token";

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>False for a hub that offers only Heartbeat calls, not the Heartbeats stream (an older coordinator).</summary>
    public bool HeartbeatStream { get; init; } = true;

    /// <summary>The answer to an epoch report; it may wait (a gate the test opens). By default: proceed.</summary>
    public Func<EpochReport, Task<EpochReportReply>> AnswerEpoch { get; set; } = _ => Task.FromResult(new EpochReportReply { Proceed = true });

    /// <summary>The status a report (epoch, completion, failure) is refused with, or null to accept it. By default every report is accepted.</summary>
    public Func<IMessage, StatusCode?> RefuseReport { get; set; } = _ => null;

    /// <summary>Of the attempts a registration lists as running, those its answer tells the worker to stop. By default none.</summary>
    public Func<RegisterWorkerRequest, IEnumerable<RunningAttempt>> StopAtRegistration { get; set; } = _ => [];

    /// <summary>Called with each accepted completion or failure before it is answered (a benchmark sends the next trial here).</summary>
    public Action<IMessage>? TrialEnded { get; set; }

    /// <summary>Calls refused for a missing or wrong token.</summary>
    public int UnauthenticatedCalls => Volatile.Read(ref _unauthenticated);

    /// <summary>Every call so far, in order of arrival.</summary>
    public IReadOnlyList<HubCall> Calls
    {
        get
        {
            lock (_gate)
                return [.. _calls];
        }
    }

    /// <summary>The requests of type <typeparamref name="T"/> so far, in order of arrival.</summary>
    public IReadOnlyList<T> Requests<T>() where T : IMessage => [.. Calls.Select(c => c.Request).OfType<T>()];

    /// <summary>The first call (so far or to come) of type <typeparamref name="T"/> that matches.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null) where T : IMessage =>
        (T)(await WaitForCallAsync(c => c.Request is T request && (match is null || match(request)))).Request;

    /// <summary>The first call (so far or to come) that matches.</summary>
    public Task<HubCall> WaitForCallAsync(Func<HubCall, bool> match)
    {
        lock (_gate)
        {
            if (_calls.FirstOrDefault(match) is { } call)
                return Task.FromResult(call);
            var found = new TaskCompletionSource<HubCall>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    /// <summary>Queues an order for <paramref name="workerId"/>, delivered on its order stream now or once it opens one.</summary>
    public void Send(string workerId, WorkerOrder order) => OrdersOf(workerId).Add(order);

    public void Start(string workerId, TrialAssignment assignment) => Send(workerId, new WorkerOrder { Start = assignment });

    public void Stop(string workerId, string trialId, int attempt, string reason) =>
        Send(workerId, new WorkerOrder { Stop = new StopTrial { TrialId = trialId, Attempt = attempt, Reason = reason } });

    /// <summary>Heartbeats of <paramref name="workerId"/> are answered "unknown" until it registers again.</summary>
    public void Forget(string workerId)
    {
        lock (_gate)
            _known.Remove(workerId);
    }

    internal bool Knows(string workerId)
    {
        lock (_gate)
            return _known.Contains(workerId);
    }

    internal void Registered(string workerId)
    {
        lock (_gate)
            _known.Add(workerId);
    }

    internal bool Authorized(ServerCallContext context)
    {
        bool ok = context.RequestHeaders.GetValue("authorization") == $"Bearer {Token}";
        if (!ok)
            Interlocked.Increment(ref _unauthenticated);
        return ok;
    }

    internal WorkerOrders OrdersOf(string workerId)
    {
        lock (_gate)
        {
            if (!_orders.TryGetValue(workerId, out var orders))
                _orders[workerId] = orders = new WorkerOrders();
            return orders;
        }
    }

    internal void Record(int serverRun, string method, IMessage request, StatusCode? refusal)
    {
        lock (_gate)
        {
            var call = new HubCall(_calls.Count + 1, serverRun, method, request, refusal);
            _calls.Add(call);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(call))
                {
                    _waiters[i].Found.TrySetResult(call);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
