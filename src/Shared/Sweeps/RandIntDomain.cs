using System.Globalization;

namespace Asl.Distributed.Sweeps;

/// <summary><c>randint: [lo, hi]</c>: an integer uniform in [lo, hi), hi excluded as in Ray Tune (lo &lt; hi).</summary>
public sealed record RandIntDomain(long Lower, long Upper) : SearchDomain
{
    public override DomainKind Kind => DomainKind.RandInt;

    public override string Sample(Xoshiro256StarStar random) =>
        (Lower + (long)random.NextBelow((ulong)(Upper - Lower))).ToString(CultureInfo.InvariantCulture);
}
