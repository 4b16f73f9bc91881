using System.Diagnostics;
using Grpc.Core;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Heartbeats every registered worker once per period, with the workers' phases spread evenly over the period
/// (worker i at i/N of it), so N workers make a steady N/period calls a second rather than bursts. One loop on a
/// short tick sends the heartbeats that fell due since the last tick; a worker whose previous heartbeat has not been
/// answered yet skips its turn (counted). Keeps each answered heartbeat's round trip.
/// </summary>
internal sealed class HeartbeatPacer(IReadOnlyList<LoadWorker> workers, TimeSpan period)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private readonly Lock _gate = new();
    private readonly bool[] _inFlight = new bool[workers.Count];
    private List<double> _roundTrips = [];
    private long _sent;
    private long _failed;
    private long _unknown;
    private long _skipped;

    /// <summary>The counts and round trips (ms) since the last call, which starts a new tally.</summary>
    public HeartbeatTally TakeTally()
    {
        lock (_gate)
        {
            var tally = new HeartbeatTally(_sent, _failed, _unknown, _skipped, _roundTrips);
            _roundTrips = [];
            _sent = _failed = _unknown = _skipped = 0;
            return tally;
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Tick);
        long start = Stopwatch.GetTimestamp();
        long due = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                // Slot k is due at k · period / N; send every slot due by now.
                long now = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds / period.TotalSeconds * workers.Count);
                for (; due <= now; due++)
                    Send((int)(due % workers.Count), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Send(int index, CancellationToken stop)
    {
        var worker = workers[index];
        if (!worker.Registered)
            return;
        lock (_gate)
        {
            if (_inFlight[index])
            {
                _skipped++;
                return;
            }
            _inFlight[index] = true;
            _sent++;
        }
        _ = Beat(index, worker, stop);
    }

    private async Task Beat(int index, LoadWorker worker, CancellationToken stop)
    {
        long sent = Stopwatch.GetTimestamp();
        bool? known = null;
        try
        {
            known = await worker.Heartbeat(stop);
        }
        catch (RpcException) when (!stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && stop.IsCancellationRequested)
        {
            return;
        }
        double ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        lock (_gate)
        {
            _inFlight[index] = false;
            if (known is null)
                _failed++;
            else if (known == false)
                _unknown++;
            else
                _roundTrips.Add(ms);
        }
    }
}
