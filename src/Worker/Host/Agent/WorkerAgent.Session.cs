using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;
using Grpc.Core;

namespace Asl.Distributed.Worker.Agent;

/// <summary>The agent's side of the connection: register, keep the order stream and the heartbeats, reconnect with backoff.</summary>
public sealed partial class WorkerAgent
{
    private (CoordinatorLink Link, CancellationTokenSource Connection)? _current;

    /// <summary>
    /// Registers and serves one connection after another until <paramref name="life"/> ends. A coordinator that cannot
    /// be reached (or drops the connection) is left for the next address after a backoff delay; one that no longer knows
    /// the worker is registered with again at once. Returns 2 when a coordinator refuses the worker's registration (a
    /// wrong token, a client token, a malformed id): no retry can help.
    /// </summary>
    private async Task<int> SessionLoopAsync(CancellationToken life)
    {
        int index = 0;
        while (!life.IsCancellationRequested)
        {
            var link = _links[index];
            using var connection = CancellationTokenSource.CreateLinkedTokenSource(life);
            Task reading = Task.CompletedTask, beating = Task.CompletedTask;
            bool registered = false, again = false;
            try
            {
                var request = new RegisterWorkerRequest
                {
                    WorkerId = _options.WorkerId,
                    Host = WorkerIdentity.MachineName,
                    PeerEndpoint = _options.PeerEndpoint,
                    Capacity = _options.Capacity,
                    Runtime = _runtime,
                };
                request.Devices.Add(_device);
                request.Running.AddRange(Running());
                var reply = await link.Client.RegisterAsync(request, link.Call(connection.Token)).ConfigureAwait(false);
                registered = true;
                _backoff.Reset();
                var interval = reply.HeartbeatInterval?.ToTimeSpan() is { } given && given > TimeSpan.Zero ? given : _options.DefaultHeartbeatInterval;
                _log.Registered(link.Address, _options.WorkerId, _options.PeerEndpoint, interval.TotalSeconds, request.Running.Count);
                foreach (var stop in reply.Stop)
                    Stop(new AttemptKey(stop.TrialId, stop.Attempt), "the coordinator no longer runs it here (named at registration)");

                using var stream = link.Client.Assignments(new AssignmentsRequest { WorkerId = _options.WorkerId }, link.Stream(connection.Token));
                bool stopping;
                lock (_gate)
                {
                    _current = (link, connection);
                    stopping = _stopping;
                }
                // A registration makes the worker available again: a stopping agent says once more that it drains.
                // (Checked with the link published, so a stop that begins meanwhile drains through one or the other.)
                if (stopping)
                    await DrainAsync(link, connection.Token).ConfigureAwait(false);
                _outbox.Connected(link);
                reading = ReadOrdersAsync(stream.ResponseStream, connection.Token);
                beating = HeartbeatAsync(link, interval, connection.Token);
                var ended = await Task.WhenAny(reading, beating).ConfigureAwait(false);
                await ended.ConfigureAwait(false);
                again = ended == beating;
                if (again)
                    _log.Forgotten(link.Address);
                else
                    _log.StreamEnded(link.Address);
            }
            catch (Exception e) when (life.IsCancellationRequested && e is OperationCanceledException or RpcException)
            {
                break;
            }
            catch (RpcException e) when (!registered && e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument)
            {
                _log.Refused(link.Address, e.StatusCode, e.Status.Detail);
                return RunExitCodes.InvalidConfig;
            }
            catch (RpcException e)
            {
                _log.Unavailable(link.Address, e.StatusCode, e.Status.Detail);
            }
            catch (OperationCanceledException)
            {
                // The outbox found the connection dead first (ConnectionLost).
                _log.Unavailable(link.Address, StatusCode.Unavailable, "a report could not be delivered");
            }
            catch (Exception e)
            {
                // Whatever else broke this connection, the agent keeps its trials and tries again.
                _log.Unavailable(link.Address, StatusCode.Unknown, AttemptRunner.OneLine(e.Message));
            }
            finally
            {
                lock (_gate)
                    _current = null;
                _outbox.Away(link);
                await connection.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(reading, beating).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            if (again)
                continue;
            index = (index + 1) % _links.Count;
            var delay = _backoff.Next();
            _log.Reconnecting(_links[index].Address, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, life).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return 0;
    }

    private async Task ReadOrdersAsync(IAsyncStreamReader<WorkerOrder> orders, CancellationToken ct)
    {
        while (await orders.MoveNext(ct).ConfigureAwait(false))
        {
            var order = orders.Current;
            switch (order.OrderCase)
            {
                case WorkerOrder.OrderOneofCase.Start:
                    Start(order.Start);
                    break;
                case WorkerOrder.OrderOneofCase.Stop:
                    Stop(new AttemptKey(order.Stop.TrialId, order.Stop.Attempt), $"stopped by the coordinator: {order.Stop.Reason}");
                    break;
                default:
                    _log.UnknownOrder();
                    break;
            }
        }
    }

    /// <summary>
    /// Heartbeats until the connection fails (thrown) or the coordinator no longer knows the worker (returns): on one
    /// Heartbeats stream, or by Heartbeat calls where the coordinator does not offer the stream.
    /// </summary>
    private async Task HeartbeatAsync(CoordinatorLink link, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            await HeartbeatStreamAsync(link, interval, ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            while (true)
            {
                await Task.Delay(interval, _time, ct).ConfigureAwait(false);
                var reply = await link.Client.HeartbeatAsync(Heartbeat(), link.Call(ct)).ConfigureAwait(false);
                if (!reply.Known)
                    return;
            }
        }
    }

    /// <summary>
    /// One heartbeat now and one per interval on a single call. The coordinator answers only to say it does not know
    /// the worker (returns); a call that ends without that answer, or a write into a dead connection, throws.
    /// </summary>
    private async Task HeartbeatStreamAsync(CoordinatorLink link, TimeSpan interval, CancellationToken ct)
    {
        using var call = link.Client.Heartbeats(link.Stream(ct));
        var answered = call.ResponseStream.MoveNext(ct);
        while (true)
        {
            try
            {
                await call.RequestStream.WriteAsync(Heartbeat(), ct).ConfigureAwait(false);
            }
            catch (Exception) when (answered.IsCompleted)
            {
                // The call ended first: its answer or its status says why (UNIMPLEMENTED from an older coordinator).
            }
            var tick = Task.Delay(interval, _time, ct);
            while (await Task.WhenAny(tick, answered).ConfigureAwait(false) == answered)
            {
                if (!await answered.ConfigureAwait(false))
                    throw new RpcException(new Status(StatusCode.Unavailable, "the coordinator ended the heartbeat stream"));
                if (!call.ResponseStream.Current.Known)
                    return;
                answered = call.ResponseStream.MoveNext(ct);
            }
            await tick.ConfigureAwait(false);
        }
    }

    private HeartbeatRequest Heartbeat()
    {
        var request = new HeartbeatRequest { WorkerId = _options.WorkerId };
        request.Running.AddRange(Running());
        return request;
    }

    /// <summary>The link of the live connection, or null while there is none.</summary>
    private CoordinatorLink? CurrentLink()
    {
        lock (_gate)
            return _current?.Link;
    }

    /// <summary>
    /// Tells the coordinator that this worker takes no new attempts. Best effort: a coordinator that cannot be told
    /// (away, or too old to know the call) may still assign work, which this stopping agent declines.
    /// </summary>
    private async Task DrainAsync(CoordinatorLink link, CancellationToken ct)
    {
        try
        {
            await link.Client.DrainAsync(new DrainRequest { WorkerId = _options.WorkerId }, link.Call(ct)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _log.DrainNotTold(link.Address, e.StatusCode, e.Status.Detail);
        }
        catch (OperationCanceledException)
        {
            _log.DrainNotTold(link.Address, StatusCode.DeadlineExceeded, "no answer within the stop's report budget");
        }
    }

    /// <summary>The outbox could not deliver on <paramref name="link"/>: drop that connection so the agent registers again.</summary>
    private void ConnectionLost(CoordinatorLink link)
    {
        CancellationTokenSource? connection = null;
        lock (_gate)
        {
            if (_current is { } current && current.Link == link)
                connection = current.Connection;
        }
        try
        {
            connection?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That connection already ended.
        }
    }
}
