namespace Asl.Distributed.Sweeps;

/// <summary>
/// Where one swept key takes its values (a search space dimension): listed values (<see cref="GridDomain"/>,
/// <see cref="ChoiceDomain"/>) or a range (<see cref="UniformDomain"/>, <see cref="LogUniformDomain"/>,
/// <see cref="RandIntDomain"/>, <see cref="QRandIntDomain"/>). The set is closed: these six and no others. Values
/// are the text a training key is set from (<c>TrainingConfig.Set</c>), canonical.
/// </summary>
public abstract record SearchDomain
{
    private protected SearchDomain()
    {
    }

    public abstract DomainKind Kind { get; }

    /// <summary>The values of a grid or choice, in the order written; null for a range.</summary>
    public virtual ValueList<string>? Listed => null;

    /// <summary>One value drawn from <paramref name="random"/>.</summary>
    public abstract string Sample(Xoshiro256StarStar random);
}
