using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>The sweep's generators against their published reference outputs, and the unbiased bounded draw.</summary>
public sealed class RandomGeneratorTests
{
    [Fact]
    public void SplitMix64_Seed1234567_GivesTheReferenceOutputs()
    {
        // The first outputs of Vigna's splitmix64.c for this seed, as used to test ports of it.
        var generator = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, expected.Select(_ => generator.Next()));
    }

    [Fact]
    public void SplitMix64At_AnyIndex_IsThatOutputOfTheSequence()
    {
        var generator = new SplitMix64(unchecked((ulong)-5));
        for (ulong n = 0; n < 100; n++)
            Assert.Equal(generator.Next(), SplitMix64.At(unchecked((ulong)-5), n));
    }

    [Fact]
    public void Xoshiro256StarStar_State1234_GivesTheReferenceOutputs()
    {
        // The rand_xoshiro crate's test vector for xoshiro256** from the state words 1, 2, 3, 4.
        var generator = new Xoshiro256StarStar(1, 2, 3, 4);
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600, 16172922978634559625,
            8476171486693032832, 10595114339597558777, 2904607092377533576,
        ];
        Assert.Equal(expected, expected.Select(_ => generator.Next()));
    }

    [Fact]
    public void Xoshiro256StarStar_AllZeroState_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new Xoshiro256StarStar(0, 0, 0, 0));
    }

    [Fact]
    public void NextBelow_ThreeQuartersOfTheRange_HasNeitherModuloNorMultiplyBias()
    {
        // For bound 3·2⁶², x mod bound makes [0, 2⁶²) twice as likely (share 1/2, not 1/3); a multiply-shift without
        // rejection makes every third value twice as likely (share of value ≡ 0 mod 3 is 1/2, not 1/3).
        const int Draws = 60_000;
        ulong bound = 3UL << 62;
        var generator = new Xoshiro256StarStar(7);
        int low = 0;
        int multiplesOfThree = 0;
        for (int i = 0; i < Draws; i++)
        {
            ulong value = generator.NextBelow(bound);
            Assert.True(value < bound);
            low += value < (1UL << 62) ? 1 : 0;
            multiplesOfThree += value % 3 == 0 ? 1 : 0;
        }
        // Five standard deviations of a binomial share with p = 1/3: a fair generator fails once in ~3.5 million runs.
        double tolerance = 5 * Math.Sqrt((1.0 / 3) * (2.0 / 3) / Draws);
        Assert.InRange((double)low / Draws, (1.0 / 3) - tolerance, (1.0 / 3) + tolerance);
        Assert.InRange((double)multiplesOfThree / Draws, (1.0 / 3) - tolerance, (1.0 / 3) + tolerance);
    }

    [Fact]
    public void NextDouble_ManyDraws_StayInTheHalfOpenUnitInterval()
    {
        var generator = new Xoshiro256StarStar(3);
        for (int i = 0; i < 100_000; i++)
            Assert.InRange(generator.NextDouble(), 0.0, Math.BitDecrement(1.0));
    }
}
