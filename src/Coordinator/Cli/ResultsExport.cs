using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Asl.Distributed.Contracts;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Runs;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// A sweep's results as CSV (one row per trial: its settings, seed, state, best metric and last epoch's metrics) or
/// JSON (everything, every epoch of every trial included), for pandas or a notebook.
/// </summary>
public static class ResultsExport
{
    private static readonly string[] EpochColumns = ["epoch", "map", "map_ema", "train_loss", "val_loss", "cf1", "of1", "prob_gap", "gamma_neg", "learning_rate"];

    public static string Csv(SweepInfo sweep, IReadOnlyList<TrialInfo> trials)
    {
        var swept = trials.SelectMany(t => t.Settings.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder();
        var header = new List<string> { "sweep_id", "trial_id", "index", "state", "baseline", "seed", "best_metric", "epochs_run", "attempts", "end_reason" };
        header.AddRange(swept);
        header.AddRange(EpochColumns.Select(c => "last_" + c));
        csv.AppendLine(string.Join(',', header.Select(Cell)));
        foreach (var t in trials.OrderBy(t => t.Index))
        {
            var last = t.Epochs.Count > 0 ? t.Epochs[^1] : null;
            var row = new List<string>
            {
                sweep.SweepId, t.TrialId, Invariant(t.Index), TrialTable.StateName(t.State), t.IsBaseline ? "true" : "false",
                Invariant(t.Seed), Invariant(t.BestMetric), Invariant(t.Epochs.Count), Invariant(t.Attempts.Count), t.EndReason,
            };
            row.AddRange(swept.Select(k => t.Settings.TryGetValue(k, out var v) ? v : ""));
            row.AddRange(last is null ? EpochColumns.Select(_ => "") :
            [
                Invariant(last.Epoch), Invariant(last.Map), Invariant(last.MapEma), Invariant(last.TrainLoss), Invariant(last.ValLoss),
                Invariant(last.Cf1), Invariant(last.Of1), Invariant(last.ProbGap), Invariant(last.GammaNeg), Invariant(last.LearningRate),
            ]);
            csv.AppendLine(string.Join(',', row.Select(Cell)));
        }
        return csv.ToString();
    }

    public static string Json(SweepInfo sweep, IReadOnlyList<TrialInfo> trials)
    {
        var root = new JsonObject
        {
            ["sweep_id"] = sweep.SweepId,
            ["state"] = TrialTable.StateName(sweep.State),
            ["trial_count"] = sweep.TrialCount,
            ["total_epochs"] = sweep.TotalEpochs,
            ["best_trial_id"] = sweep.BestTrialId,
            ["best_metric"] = JsonValue.Create(sweep.BestMetric),
            ["spec_yaml"] = sweep.SpecYaml,
        };
        var list = new JsonArray();
        foreach (var t in trials.OrderBy(t => t.Index))
        {
            var settings = new JsonObject();
            foreach (var (key, value) in t.Settings.OrderBy(p => p.Key, StringComparer.Ordinal))
                settings[key] = value;
            var epochs = new JsonArray();
            foreach (var e in t.Epochs)
                epochs.Add(JsonSerializer.SerializeToNode(e.ToRecord(), RunJson.Options));
            var attempts = new JsonArray();
            foreach (var a in t.Attempts)
            {
                attempts.Add(new JsonObject
                {
                    ["number"] = a.Number,
                    ["workers"] = new JsonArray([.. a.WorkerIds.Select(w => JsonValue.Create(w))]),
                    ["started"] = a.Started?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture),
                    ["ended"] = a.Ended?.ToDateTimeOffset().ToString("O", CultureInfo.InvariantCulture),
                    ["end_reason"] = a.EndReason,
                    ["counted_as_failure"] = a.CountedAsFailure,
                    ["resumed_from_epoch"] = a.ResumedFromEpoch,
                });
            }
            list.Add(new JsonObject
            {
                ["trial_id"] = t.TrialId,
                ["index"] = t.Index,
                ["state"] = TrialTable.StateName(t.State),
                ["baseline"] = t.IsBaseline,
                ["seed"] = t.Seed,
                ["settings"] = settings,
                ["best_metric"] = JsonValue.Create(t.BestMetric),
                ["checkpoint"] = t.Checkpoint,
                ["end_reason"] = t.EndReason,
                ["epochs"] = epochs,
                ["attempts"] = attempts,
            });
        }
        root["trials"] = list;
        return root.ToJsonString(new JsonSerializerOptions(RunJson.Options) { WriteIndented = true });
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180).</summary>
    private static string Cell(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
