namespace Asl.Distributed.Training.Loop;

/// <summary>
/// The 1cycle policy as PyTorch's <c>OneCycleLR</c> computes it (two phases, cosine annealing): the learning rate
/// rises from max/div_factor to max over the first pct_start of the steps, then falls to
/// max/(div_factor·final_div_factor); β1 moves the opposite way between max and base momentum. A pure function of
/// the step, so resuming needs nothing but the step number.
/// </summary>
public sealed record OneCycleSchedule(
    double MaxLearningRate,
    long TotalSteps,
    double PctStart = 0.2,
    double DivFactor = 25,
    double FinalDivFactor = 1e4,
    double BaseMomentum = 0.85,
    double MaxMomentum = 0.95)
{
    private double InitialLearningRate => MaxLearningRate / DivFactor;

    private double MinLearningRate => InitialLearningRate / FinalDivFactor;

    /// <summary>Last step of the warm-up phase (fractional, as PyTorch computes it).</summary>
    private double WarmUpEnd => PctStart * TotalSteps - 1;

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRate(long step)
    {
        var (start, end, fraction) = Phase(step);
        return start == 0 ? Anneal(InitialLearningRate, MaxLearningRate, fraction) : Anneal(MaxLearningRate, MinLearningRate, fraction);
    }

    /// <summary>Adam's β1 at optimizer step <paramref name="step"/>.</summary>
    public double Beta1(long step)
    {
        var (start, _, fraction) = Phase(step);
        return start == 0 ? Anneal(MaxMomentum, BaseMomentum, fraction) : Anneal(BaseMomentum, MaxMomentum, fraction);
    }

    private (int Phase, double End, double Fraction) Phase(long step)
    {
        if (step < 0 || step >= TotalSteps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"the schedule spans steps 0 to {TotalSteps - 1}");
        double warmUpEnd = WarmUpEnd;
        if (step <= warmUpEnd)
            return (0, warmUpEnd, warmUpEnd <= 0 ? 1 : step / warmUpEnd);
        double end = TotalSteps - 1;
        return (1, end, (step - warmUpEnd) / (end - warmUpEnd));
    }

    private static double Anneal(double start, double end, double fraction) =>
        end + (start - end) / 2 * (Math.Cos(Math.PI * fraction) + 1);
}
