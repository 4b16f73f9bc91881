namespace Asl.Distributed.Sweeps;

/// <summary><c>choice: [v, ...]</c>: one value drawn uniformly per trial; under grid every value is a trial.</summary>
public sealed record ChoiceDomain(ValueList<string> Values) : SearchDomain
{
    public override DomainKind Kind => DomainKind.Choice;

    public override ValueList<string> Listed => Values;

    public override string Sample(Xoshiro256StarStar random) => Values[(int)random.NextBelow((ulong)Values.Count)];
}
