using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary><c>uniform: [lo, hi]</c>: a number uniform between the bounds (lo &lt; hi), on number keys only.</summary>
public sealed record UniformDomain(double Lower, double Upper) : SearchDomain
{
    public override DomainKind Kind => DomainKind.Uniform;

    // Clamped because lo + u·(hi − lo) can round past hi, and hi may be the key's own limit.
    public override string Sample(Xoshiro256StarStar random) =>
        SettingKey.Format(Math.Clamp(Lower + (random.NextDouble() * (Upper - Lower)), Lower, Upper));
}
