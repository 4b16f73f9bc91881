using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>The settings grid of the issue: γ− ∈ {0, 1, 2, 4}, γ+ ∈ {0, 1}, clip ∈ {0, 0.05, 0.2}, both detach settings.</summary>
internal static class SettingsGrid
{
    public static IEnumerable<AsymmetricLossSettings> All(LossReduction reduction = LossReduction.Sum)
    {
        foreach (double gammaNeg in new[] { 0.0, 1, 2, 4 })
            foreach (double gammaPos in new[] { 0.0, 1 })
                foreach (double clip in new[] { 0.0, 0.05, 0.2 })
                    foreach (bool detach in new[] { true, false })
                        yield return new AsymmetricLossSettings(gammaNeg, gammaPos, clip, 1e-8, detach, reduction);
    }

    /// <summary>xunit rows: index into <see cref="All"/> so each setting is its own test case.</summary>
    public static TheoryData<int> Indices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < All().Count(); i++)
            data.Add(i);
        return data;
    }

    public static AsymmetricLossSettings At(int index) => All().ElementAt(index);

    /// <summary>
    /// Logits in [−6, 6] and targets (hard or soft) kept away from the kinks of the reference (p at the margin),
    /// where a central difference straddles two branches.
    /// </summary>
    public static (double[] Z, double[] Y) Sample(int seed, int count, bool soft, double clip)
    {
        var random = new Random(seed);
        var z = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            double logit;
            do
            {
                logit = random.NextDouble() * 12 - 6;
            }
            while (clip > 0 && Math.Abs(1 / (1 + Math.Exp(-logit)) - clip) < 1e-3);
            z[i] = logit;
            y[i] = soft ? Math.Round(random.NextDouble(), 2) : random.Next(2);
        }
        return (z, y);
    }
}
