namespace Asl.Distributed.Sweeps;

/// <summary>
/// One result recorded at a rung: the trial and its metric as reported (not negated under mode min). The sweep's
/// ASHA state is nothing but a list of these.
/// </summary>
/// <param name="Rung">Index of the rung, 0 for the first (at grace_period epochs).</param>
/// <param name="TrialIndex">The trial's index.</param>
/// <param name="Value">The trial's metric when it reached the rung.</param>
public sealed record AshaRecord(int Rung, int TrialIndex, double Value);
