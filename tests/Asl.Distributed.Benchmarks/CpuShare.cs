namespace Asl.Distributed.Benchmarks;

/// <summary>
/// A window's CPU figures: the coordinator's and the generator's CPU time as a percentage of one core, the machine's
/// busy share of all its cores, and the 1-minute load average at the end.
/// </summary>
internal sealed record CpuShare(double Seconds, double CoordinatorPercentOfCore, double GeneratorPercentOfCore, double MachineBusyPercent, double LoadAverage);
