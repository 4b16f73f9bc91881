namespace Asl.Distributed.Training.Collectives;

/// <summary>How <see cref="WireCodec"/> stores each float32 gradient element in a message on the ring.</summary>
public enum WireFormat
{
    /// <summary>IEEE binary32, 4 bytes little-endian per element: lossless.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16, 2 bytes little-endian per element: the upper 16 bits of the float32, rounded to nearest, ties to
    /// even. Keeps float32's exponent range (no overflow short of float32's own) with 8 significant bits.
    /// </summary>
    BFloat16 = 1,

    /// <summary>
    /// IEEE binary16, 2 bytes little-endian per element, rounded to nearest, ties to even, exactly as the
    /// <see cref="Half"/> conversion does: 11 significant bits, but magnitudes of 65520 and above become infinity
    /// and those below 2⁻²⁵ become zero.
    /// </summary>
    Float16 = 2,
}
