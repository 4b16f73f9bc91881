using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// <c>loguniform: [lo, hi]</c>: a number whose logarithm is uniform between log lo and log hi (0 &lt; lo &lt; hi),
/// so that each decade is equally likely (learning rates); on number keys only.
/// </summary>
public sealed record LogUniformDomain(double Lower, double Upper) : SearchDomain
{
    public override DomainKind Kind => DomainKind.LogUniform;

    // Clamped because exp(log hi) need not give hi back exactly.
    public override string Sample(Xoshiro256StarStar random)
    {
        double low = Math.Log(Lower);
        return SettingKey.Format(Math.Clamp(Math.Exp(low + (random.NextDouble() * (Math.Log(Upper) - low))), Lower, Upper));
    }
}
