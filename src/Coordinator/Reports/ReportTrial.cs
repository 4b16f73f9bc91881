using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Coordinator.Reports;

/// <summary>What the report shows of one trial: its label and, per epoch, the sweep metric (the better of the two mAPs).</summary>
internal sealed record ReportTrial(TrialInfo Info)
{
    /// <summary>"#3 loss.gamma_neg=4 loss.clip=0.05", or "#0 baseline loss.preset=bce".</summary>
    public string Label => $"#{Info.Index}{(Info.IsBaseline ? " baseline" : "")} {string.Join(" ", Info.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"))}".TrimEnd();

    public double[] Epochs => [.. Info.Epochs.Select(e => (double)e.Epoch)];

    /// <summary>The better of the regular and the EMA model's mAP at each epoch.</summary>
    public double[] Map => [.. Info.Epochs.Select(e => double.IsNaN(e.MapEma) ? e.Map : double.IsNaN(e.Map) ? e.MapEma : Math.Max(e.Map, e.MapEma))];

    /// <summary>A swept setting's value as a number, or null when the trial has none or it is not a number.</summary>
    public double? Number(string key) =>
        Info.Settings.TryGetValue(key, out var text) && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            ? value
            : null;
}
