using System.Globalization;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// A rank's index among the ranks of its host, which picks its CUDA device under <c>run.device: cuda</c>: the
/// <see cref="Variable"/> environment variable where set (<c>asl-worker train --nproc</c> sets it, as torchrun does),
/// else the rank itself (every rank on one host).
/// </summary>
public static class LocalRank
{
    /// <summary>The environment variable torchrun and the <c>--nproc</c> launcher set.</summary>
    public const string Variable = "LOCAL_RANK";

    /// <summary>The local rank of global rank <paramref name="rank"/>.</summary>
    public static int Of(int rank) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out int local) ? local : rank;
}
