using System.Globalization;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// Follows a sweep's events to its end: on a terminal, a table of trials redrawn in place; with output redirected,
/// one plain line per event. Resumes the event stream after the last sequence seen if the connection drops.
/// </summary>
/// <remarks>
/// Each redraw fetches the sweep and every trial, and a large sweep sends many events a second, so the table is
/// drawn at the first event, then at most once per <see cref="RedrawInterval"/> while events arrive, and once more
/// at the end.
/// </remarks>
internal sealed class SweepWatcher(SweepService.SweepServiceClient client, TextWriter output, bool redraw, TimeProvider? time = null)
{
    /// <summary>The shortest time between two redraws of the live table.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(500);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _drawing = new(1, 1);
    private int _drawnLines;
    private int _stale;

    /// <summary>How many times the table was drawn.</summary>
    public int Draws { get; private set; }

    /// <summary>Watches until the sweep ends; returns its final state.</summary>
    public async Task<SweepInfo> Watch(string sweepId, CancellationToken cancellationToken)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var redrawing = redraw ? RedrawWhileStale(sweepId, watching.Token) : Task.CompletedTask;
        try
        {
            await Follow(sweepId, cancellationToken);
        }
        finally
        {
            await watching.CancelAsync();
            await redrawing;
        }

        if (redraw)
            await Redraw(sweepId, cancellationToken);
        return await client.GetSweepAsync(new GetSweepRequest { SweepId = sweepId }, cancellationToken: cancellationToken);
    }

    private async Task Follow(string sweepId, CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            try
            {
                using var call = client.WatchSweep(new WatchSweepRequest { SweepId = sweepId, AfterSequence = after }, cancellationToken: cancellationToken);
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    after = e.Sequence;
                    if (e.KindCase == SweepEvent.KindOneofCase.SweepEnded)
                    {
                        if (!redraw)
                            output.WriteLine(Line(e));
                        return;
                    }
                    if (!redraw)
                        output.WriteLine(Line(e));
                    else if (Draws == 0)
                        await Redraw(sweepId, cancellationToken);
                    else
                        Volatile.Write(ref _stale, 1);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !cancellationToken.IsCancellationRequested)
            {
                // The coordinator restarts or the network blinked: go on after the last event seen.
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            }
        }
    }

    private async Task RedrawWhileStale(string sweepId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RedrawInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Interlocked.Exchange(ref _stale, 0) == 0)
                    continue;
                try
                {
                    await Redraw(sweepId, cancellationToken);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !cancellationToken.IsCancellationRequested)
                {
                    // The coordinator is away; the table is drawn once it answers again.
                    Volatile.Write(ref _stale, 1);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
            // The sweep ended or the watch was stopped; the final draw follows.
        }
    }

    /// <summary>The final leaderboard: trials with a metric, best first.</summary>
    public static IReadOnlyList<string> Leaderboard(SweepInfo sweep, IReadOnlyList<TrialInfo> trials, bool maximize, int top = 10)
    {
        var withMetric = trials.Where(t => !double.IsNaN(t.BestMetric)).ToList();
        var ranked = withMetric.OrderBy(t => maximize ? -t.BestMetric : t.BestMetric).ThenBy(t => t.Index).Take(top).ToList();
        var lines = new List<string> { $"leaderboard of {sweep.SweepId} (the best {ranked.Count} of {withMetric.Count} trials with a metric, of {trials.Count}):" };
        for (int i = 0; i < ranked.Count; i++)
        {
            var t = ranked[i];
            string settings = string.Join(" ", t.Settings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,3}. {t.TrialId}  {t.BestMetric:0.00}  {TrialTable.StateName(t.State)} after {t.Epochs.Count} epochs  seed {t.Seed}  {settings}"));
        }
        return lines;
    }

    private async Task Redraw(string sweepId, CancellationToken cancellationToken)
    {
        await _drawing.WaitAsync(cancellationToken);
        try
        {
            var sweep = await client.GetSweepAsync(new GetSweepRequest { SweepId = sweepId }, cancellationToken: cancellationToken);
            var trials = (await client.ListTrialsAsync(new ListTrialsRequest { SweepId = sweepId }, cancellationToken: cancellationToken)).Trials;
            var lines = TrialTable.Render(sweep, trials);
            if (_drawnLines > 0)
                output.Write($"\u001b[{_drawnLines}F\u001b[J");
            foreach (var line in lines)
                output.WriteLine(line);
            output.Flush();
            _drawnLines = lines.Count;
            Draws++;
        }
        finally
        {
            _drawing.Release();
        }
    }

    private static string Line(SweepEvent e) => e.KindCase switch
    {
        SweepEvent.KindOneofCase.StateChanged => $"{e.TrialId}: {TrialTable.StateName(e.StateChanged.State)}"
            + (e.StateChanged.Attempt > 0 ? $" (attempt {e.StateChanged.Attempt})" : "")
            + (e.StateChanged.Reason.Length > 0 ? $": {e.StateChanged.Reason}" : ""),
        SweepEvent.KindOneofCase.Epoch => string.Create(CultureInfo.InvariantCulture,
            $"{e.TrialId}: epoch {e.Epoch.Epoch}  loss {e.Epoch.TrainLoss:0.0000}  mAP {e.Epoch.Map:0.00}  EMA mAP {e.Epoch.MapEma:0.00}  {e.Epoch.ImagesPerSecond:0} img/s"),
        SweepEvent.KindOneofCase.SweepEnded => string.Create(CultureInfo.InvariantCulture,
            $"sweep {TrialTable.StateName(e.SweepEnded.State)}; best {(e.SweepEnded.BestTrialId.Length > 0 ? $"{e.SweepEnded.BestTrialId} ({e.SweepEnded.BestMetric:0.00})" : "none")}"),
        _ => $"event {e.Sequence}",
    };
}
