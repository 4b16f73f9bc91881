namespace Asl.Distributed.Sweeps;

/// <summary>
/// The decisions of Ray Tune's AsyncHyperBandScheduler (one bracket, <c>stop_last_trials</c> on), as a pure
/// function of the results recorded so far, so that a coordinator keeps only the records and a restart decides as
/// an uninterrupted run would. Rungs fall at grace_period·η^k epochs for k = 0, 1, ... while at most max_epochs.
/// After an epoch, the highest rung the trial has reached and not yet been recorded at decides: the cutoff is the
/// (1 − 1/η)·100-th percentile (<see cref="LinearPercentile"/>) of the results recorded there before; the trial
/// stops when its result is below it (mode min compares negated values, as Ray multiplies by −1); the first result
/// at a rung always continues; the result is recorded either way. One difference from Ray: a NaN result stops the
/// trial (Ray lets it go on, since NaN &lt; cutoff is false); NaNs already recorded are left out of cutoffs, as
/// Ray's <c>nanpercentile</c> does.
/// </summary>
public sealed class AshaScheduler
{
    private readonly double[] _milestones;

    public AshaScheduler(double reductionFactor, int gracePeriod, int maxEpochs, MetricMode mode)
    {
        if (!(reductionFactor > 1) || double.IsInfinity(reductionFactor))
            throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "η must be a finite number above 1");
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, gracePeriod);
        ReductionFactor = reductionFactor;
        MaxEpochs = maxEpochs;
        Mode = mode;
        var milestones = new List<double>();
        for (int k = 0; gracePeriod * Math.Pow(reductionFactor, k) <= maxEpochs; k++)
            milestones.Add(gracePeriod * Math.Pow(reductionFactor, k));
        _milestones = [.. milestones];
    }

    /// <summary>The scheduler of an ASHA spec; throws for grid and random.</summary>
    public static AshaScheduler For(SweepSpec spec) => spec.Algorithm is AshaAlgorithm asha
        ? new AshaScheduler(asha.ReductionFactor, asha.GracePeriod, asha.MaxEpochs, spec.Metric.Mode)
        : throw new ArgumentException($"sweep {spec.Name} uses algorithm {spec.Algorithm.Kind}, not asha", nameof(spec));

    public double ReductionFactor { get; }

    public int MaxEpochs { get; }

    public MetricMode Mode { get; }

    /// <summary>The epochs at which the rungs fall (rung k is reached once epoch ≥ Milestones[k]).</summary>
    public IReadOnlyList<double> Milestones => _milestones;

    /// <summary>Ray's cutoff percentile, (1 − 1/η)·100: 75 for η = 4.</summary>
    public double CutoffPercent => (1 - (1 / ReductionFactor)) * 100;

    /// <summary>
    /// Decides after <paramref name="trialIndex"/> completed epoch <paramref name="epoch"/> (1-based, as
    /// <c>EpochMetrics.Epoch</c>) with <paramref name="metric"/>, given every result recorded so far. The caller adds
    /// the decision's record to its list before deciding the next result.
    /// </summary>
    public AshaDecision Decide(IReadOnlyCollection<AshaRecord> records, int trialIndex, int epoch, double metric)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        if (records.FirstOrDefault(r => r.Rung < 0 || r.Rung >= _milestones.Length) is { } stray)
            throw new ArgumentException($"a record names rung {stray.Rung}; this scheduler has rungs 0 to {_milestones.Length - 1}", nameof(records));
        bool complete = epoch >= MaxEpochs;
        for (int rung = _milestones.Length - 1; rung >= 0; rung--)
        {
            if (epoch < _milestones[rung] || records.Any(r => r.Rung == rung && r.TrialIndex == trialIndex))
                continue;
            double cutoff = LinearPercentile.Of(records.Where(r => r.Rung == rung).Select(r => Signed(r.Value)), CutoffPercent);
            var action = complete ? AshaAction.Complete
                : double.IsNaN(metric) || Signed(metric) < cutoff ? AshaAction.Stop
                : AshaAction.Continue;
            return new AshaDecision(action, new AshaRecord(rung, trialIndex, metric), double.IsNaN(cutoff) ? null : Signed(cutoff));
        }
        return new AshaDecision(complete ? AshaAction.Complete : AshaAction.Continue, null, null);
    }

    // Negation is exact, so the cutoffs of mode min are Ray's to the bit as well.
    private double Signed(double value) => Mode == MetricMode.Min ? -value : value;
}
