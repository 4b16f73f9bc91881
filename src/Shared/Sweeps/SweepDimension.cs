namespace Asl.Distributed.Sweeps;

/// <summary>One swept training key (dotted, as in the key schema: <c>loss.gamma_neg</c>) and where it takes its values.</summary>
public sealed record SweepDimension(string Key, SearchDomain Domain);
