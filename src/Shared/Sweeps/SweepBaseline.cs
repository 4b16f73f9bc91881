namespace Asl.Distributed.Sweeps;

/// <summary>
/// One extra trial: the base config with exactly these settings (dotted key, canonical value text) and nothing
/// sampled; how a BCE or focal reference joins an ASL sweep (<c>- {loss.preset: bce}</c>).
/// </summary>
public sealed record SweepBaseline(ValueList<KeyValuePair<string, string>> Settings);
