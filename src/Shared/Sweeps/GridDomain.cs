namespace Asl.Distributed.Sweeps;

/// <summary><c>grid: [v, ...]</c>: under grid every value is a trial; under random one is drawn uniformly.</summary>
public sealed record GridDomain(ValueList<string> Values) : SearchDomain
{
    public override DomainKind Kind => DomainKind.Grid;

    public override ValueList<string> Listed => Values;

    public override string Sample(Xoshiro256StarStar random) => Values[(int)random.NextBelow((ulong)Values.Count)];
}
