using System.Globalization;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// <c>qrandint: [lo, hi, q]</c>: a multiple of q in [lo, hi], hi included as in Ray Tune; lo and hi are multiples of
/// q. Each multiple is equally likely (Ray rounds a uniform integer to the nearest multiple, which gives the two
/// ends half the weight of the others).
/// </summary>
public sealed record QRandIntDomain(long Lower, long Upper, long Q) : SearchDomain
{
    public override DomainKind Kind => DomainKind.QRandInt;

    /// <summary>How many values the domain holds.</summary>
    public long Count => ((Upper - Lower) / Q) + 1;

    public override string Sample(Xoshiro256StarStar random) =>
        (Lower + (Q * (long)random.NextBelow((ulong)Count))).ToString(CultureInfo.InvariantCulture);
}
