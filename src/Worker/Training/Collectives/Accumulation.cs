namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// What a receive does with a chunk's values: overwrite its destination, add to it, or add to it and divide the sum
/// by n in the same pass (a mean's owner finishing its segment). Division rather than multiplication by 1/n, so the
/// result is the correctly rounded (destination + chunk) / n.
/// </summary>
public readonly record struct Accumulation
{
    /// <summary>The destination becomes the chunk.</summary>
    public static Accumulation Overwrite => default;

    /// <summary>The chunk is added to the destination in float32.</summary>
    public static Accumulation Add => new() { Adds = true, Divisor = 1 };

    /// <summary>The chunk is added to the destination and the sum divided by <paramref name="divisor"/>.</summary>
    public static Accumulation AddThenDivide(int divisor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(divisor, 1);
        return new() { Adds = true, Divisor = divisor };
    }

    /// <summary>Whether the chunk is added rather than copied.</summary>
    public bool Adds { get; private init; }

    /// <summary>What the sum is divided by; 1 when it is not (0 for <see cref="Overwrite"/>).</summary>
    public int Divisor { get; private init; }

    public override string ToString() => !Adds ? "overwrite" : Divisor > 1 ? $"add then divide by {Divisor}" : "add";
}
