using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary><see cref="WireCodec.Apply"/> against scalar IEEE arithmetic, element by element.</summary>
public sealed class AccumulationTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 3)]
    [InlineData(1_003, 3)]
    [InlineData(4_096, 5)]
    public void Apply_AddThenDivide_IsTheScalarSumDividedByTheDivisorBitForBit(int length, int divisor)
    {
        var chunk = RingHarness.RandomInputs(1, length, seed: length)[0];
        var destination = RingHarness.RandomInputs(1, length, seed: length + 1)[0];
        // Values that make x + y and (x + y) / n round: large and small magnitudes, a subnormal, an infinity.
        destination[0] = 3.4e38f;
        chunk[0] = 3.4e38f;
        if (length > 2)
        {
            destination[1] = 1e-45f;
            chunk[2] = 16_777_217f;
        }
        var expected = new float[length];
        for (int i = 0; i < length; i++)
            expected[i] = (destination[i] + chunk[i]) / divisor;

        WireCodec.Apply(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk.AsSpan()), destination, WireFormat.Float32, Accumulation.AddThenDivide(divisor));

        Assert.Equal(expected, destination);
        Assert.True(float.IsPositiveInfinity(destination[0]));
    }

    [Fact]
    public void Accumulation_DivisorBelowOne_IsRefusedAndTheKindsNameThemselves()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Accumulation.AddThenDivide(0));
        Assert.Equal(("overwrite", "add", "add then divide by 3"),
            (Accumulation.Overwrite.ToString(), Accumulation.Add.ToString(), Accumulation.AddThenDivide(3).ToString()));
    }
}
