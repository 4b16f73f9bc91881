using Asl.Distributed.Losses;
using Asl.Distributed.Training.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// Adaptive asymmetry (the paper's first version, not in the official code): after each step
/// γ− ← clamp(γ− + λ·(Δp − Δp_target), γ−_min, γ−_max), where Δp = p_t− − p_t+ is the batch's probability gap.
/// A non-finite Δp is counted and skipped, so γ− never turns NaN. Safe to read from other threads while one
/// thread updates: every update publishes a new immutable <see cref="AdaptiveAsymmetryState"/>.
/// </summary>
public sealed class AdaptiveAsymmetry
{
    private readonly Lock _updateLock = new();
    private volatile AdaptiveAsymmetryState _state;

    /// <summary>Starts at γ− = <paramref name="initialGammaNeg"/> after validating the options against it.</summary>
    public AdaptiveAsymmetry(AdaptiveAsymmetryOptions options, double initialGammaNeg)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate(initialGammaNeg);
        _state = new AdaptiveAsymmetryState(initialGammaNeg, 0, double.NaN, 0);
    }

    /// <summary>The validated settings.</summary>
    public AdaptiveAsymmetryOptions Options { get; }

    /// <summary>The current γ−.</summary>
    public double GammaNeg => _state.GammaNeg;

    /// <summary>An immutable snapshot of the controller.</summary>
    public AdaptiveAsymmetryState State => _state;

    /// <summary>
    /// Applies one update with the probability gap <paramref name="probGap"/> and returns the new γ−. A NaN or
    /// infinite gap leaves γ− unchanged and is counted in <see cref="AdaptiveAsymmetryState.SkippedUpdates"/>.
    /// </summary>
    public double Update(double probGap)
    {
        lock (_updateLock)
        {
            var state = _state;
            if (!double.IsFinite(probGap))
            {
                _state = state with { LastProbGap = probGap, SkippedUpdates = state.SkippedUpdates + 1 };
                return state.GammaNeg;
            }

            // λ, the target and γ− are finite, so the sum is finite or ±∞, and the clamp maps ±∞ to a bound.
            var gammaNeg = Math.Clamp(
                state.GammaNeg + Options.Lambda * (probGap - Options.TargetProbGap),
                Options.GammaNegMin,
                Options.GammaNegMax);
            _state = new AdaptiveAsymmetryState(gammaNeg, state.Steps + 1, probGap, state.SkippedUpdates);
            return gammaNeg;
        }
    }

    /// <summary>Computes the batch's <see cref="ProbabilityGap(Tensor, Tensor)"/>, applies <see cref="Update"/> with it and returns the gap.</summary>
    public double Step(Tensor logits, Tensor targets)
    {
        var probGap = ProbabilityGap(logits, targets);
        Update(probGap);
        return probGap;
    }

    /// <summary>
    /// Δp = p_t− − p_t+ of a multi-label batch, in float64 and outside autograd: with p = sigmoid(logits),
    /// p_t+ = Σ y·p / Σ y and p_t− = Σ (1 − y)(1 − p) / Σ (1 − y), so soft targets weigh each label by y.
    /// NaN when the batch has no positive (Σ y = 0) or no negative (Σ (1 − y) = 0) weight.
    /// </summary>
    public static double ProbabilityGap(Tensor logits, Tensor targets) => ProbabilityGap(GapSums(logits, targets));

    /// <summary>
    /// Δp from the four sums of <see cref="GapSums"/>; sums added over the shards of a batch (data-parallel ranks) give
    /// the whole batch's Δp.
    /// </summary>
    public static double ProbabilityGap(ReadOnlySpan<double> sums)
    {
        if (sums.Length != GapSumCount)
            throw new ArgumentException($"expected {GapSumCount} sums (Σy, Σ(1−y), Σy·p, Σ(1−y)(1−p)); got {sums.Length}", nameof(sums));
        var (positives, negatives, positiveProb, negativeProb) = (sums[0], sums[1], sums[2], sums[3]);
        if (positives == 0 || negatives == 0)
            return double.NaN;
        return negativeProb / negatives - positiveProb / positives;
    }

    /// <summary>How many sums <see cref="GapSums"/> returns.</summary>
    public const int GapSumCount = 4;

    /// <summary>
    /// Σ y, Σ (1 − y), Σ y·p and Σ (1 − y)(1 − p) of a batch in float64, the parts of <see cref="ProbabilityGap(Tensor, Tensor)"/>.
    /// Throws an <see cref="ArgumentException"/> for non-float logits, mismatched shapes, an empty batch or targets outside [0, 1].
    /// </summary>
    public static double[] GapSums(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!logits.is_floating_point())
            throw new ArgumentException($"logits must be floating point; got {logits.dtype}", nameof(logits));
        if (!logits.shape.SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"targets must have the shape of logits [{string.Join(", ", logits.shape)}]; got [{string.Join(", ", targets.shape)}]",
                nameof(targets));
        if (logits.numel() == 0)
            throw new ArgumentException("logits are empty", nameof(logits));

        using var scope = torch.NewDisposeScope();
        // detach rather than no_grad: it keeps the work out of the graph without touching the caller's autograd mode.
        var p = logits.detach().to_type(ScalarType.Float64).sigmoid();
        var y = targets.detach().to_type(ScalarType.Float64);
        var notY = HeldScalars.OneMinus(y); // not 1 - y, whose Scalars a finalizer could free mid-call (issue 15)
        var sums = torch.stack([y.sum(), notY.sum(), (y * p).sum(), (notY * HeldScalars.OneMinus(p)).sum(), y.min(), y.max()])
            .cpu().data<double>().ToArray();
        var (yMin, yMax) = (sums[4], sums[5]);
        if (!(yMin >= 0 && yMax <= 1))
            throw new ArgumentException($"targets must lie in [0, 1]; got values from {yMin} to {yMax}", nameof(targets));
        return sums[..GapSumCount];
    }

    /// <summary>
    /// Continues from <paramref name="state"/> (for example one read back from a checkpoint). Throws an
    /// <see cref="ArgumentException"/> naming the field when γ− is not finite or outside [γ−_min, γ−_max], or a count
    /// is negative.
    /// </summary>
    public void Restore(AdaptiveAsymmetryState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!double.IsFinite(state.GammaNeg) || state.GammaNeg < Options.GammaNegMin || state.GammaNeg > Options.GammaNegMax)
            throw new ArgumentException(
                $"{nameof(AdaptiveAsymmetryState.GammaNeg)} {state.GammaNeg} is out of range; "
                + $"allowed: a finite number in [{Options.GammaNegMin}, {Options.GammaNegMax}]",
                nameof(state));
        if (state.Steps < 0)
            throw new ArgumentException($"{nameof(AdaptiveAsymmetryState.Steps)} {state.Steps} is negative", nameof(state));
        if (state.SkippedUpdates < 0)
            throw new ArgumentException(
                $"{nameof(AdaptiveAsymmetryState.SkippedUpdates)} {state.SkippedUpdates} is negative", nameof(state));

        lock (_updateLock)
        {
            _state = state;
        }
    }
}
