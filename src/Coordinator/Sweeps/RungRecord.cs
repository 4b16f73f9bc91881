namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>A result recorded at an ASHA rung (0 = the first, at grace_period epochs): the trial, its metric there, and whether it went on.</summary>
[GenerateSerializer, Alias("asl.RungRecord")]
public sealed record RungRecord(
    [property: Id(0)] int Rung,
    [property: Id(1)] int Index,
    [property: Id(2)] double Value,
    [property: Id(3)] bool Continued);
