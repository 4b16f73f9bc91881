using System.Globalization;

namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Trial ids: the sweep id, a dot, and the trial's index in four or more digits (sweep ids have no dots).</summary>
public static class TrialIds
{
    public static string Of(string sweepId, int index) => sweepId + "." + index.ToString("D4", CultureInfo.InvariantCulture);
}
