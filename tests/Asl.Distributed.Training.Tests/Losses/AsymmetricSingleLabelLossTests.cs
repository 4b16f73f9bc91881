using Asl.Distributed.Configuration;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>
/// <see cref="AsymmetricSingleLabelLoss"/> against a float64 reference written out below with plain loops, against
/// central finite differences of that reference, and against torch's cross-entropy where the two must agree.
/// </summary>
public sealed class AsymmetricSingleLabelLossTests
{
    private const int Batch = 5;
    private const int Classes = 4;

    public static TheoryData<double, double, double> Settings()
    {
        var data = new TheoryData<double, double, double>();
        foreach (var gammaPos in new[] { 0.0, 1.0 })
            foreach (var gammaNeg in new[] { 0.0, 1.0, 2.0, 4.0 })
                foreach (var eps in new[] { 0.0, 0.1 })
                    data.Add(gammaPos, gammaNeg, eps);
        return data;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Compute_Float64Logits_MatchesDoubleReferenceForEveryReduction(double gammaPos, double gammaNeg, double eps)
    {
        using var scope = torch.NewDisposeScope();
        var (z, t) = RandomBatch(seed: 11);
        foreach (var reduction in Enum.GetValues<LossReduction>())
        {
            var options = new AsymmetricSingleLabelLossOptions { GammaPos = gammaPos, GammaNeg = gammaNeg, Eps = eps, Reduction = reduction };
            var loss = AsymmetricSingleLabelLoss.Compute(ToTensor(z), torch.tensor(t), options);

            Assert.Equal(ScalarType.Float64, loss.dtype);
            var expected = reduction == LossReduction.None ? ReferencePerSample(z, t, options) : [ReferenceLoss(z, t, options)];
            Assert.Equal(reduction == LossReduction.None ? new long[] { Batch } : Array.Empty<long>(), loss.shape);
            AssertClose(expected, loss.data<double>().ToArray(), 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Backward_Float64Logits_MatchesCentralDifferences(double gammaPos, double gammaNeg, double eps)
    {
        using var scope = torch.NewDisposeScope();
        var (z, t) = RandomBatch(seed: 12);
        foreach (var reduction in new[] { LossReduction.Mean, LossReduction.Sum })
        {
            var options = new AsymmetricSingleLabelLossOptions { GammaPos = gammaPos, GammaNeg = gammaNeg, Eps = eps, Reduction = reduction };
            AssertGradientMatchesFiniteDifferences(z, t, options);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)]
    public void Backward_SaturatedLogitsWithFractionalGamma_MatchesCentralDifferences(double gamma)
    {
        using var scope = torch.NewDisposeScope();
        // Probabilities down to e^-60: where the official pow-based weight has a steep or infinite derivative.
        double[,] z = { { 30, -30, 0 }, { -30, 30, 5 }, { 2, -25, 25 } };
        long[] t = [0, 0, 1];
        var options = new AsymmetricSingleLabelLossOptions { GammaPos = gamma, GammaNeg = gamma, Eps = 0.1, Reduction = LossReduction.Sum };
        AssertGradientMatchesFiniteDifferences(z, t, options);
    }

    /// <summary>
    /// ε = 0, γ+ = 0 is plain softmax cross-entropy whatever γ−; with γ− = 0 too, ε is cross-entropy's label smoothing.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(2.0, 0.0)]
    [InlineData(4.0, 0.0)]
    [InlineData(0.0, 0.1)]
    public void Compute_NoPositiveFocusing_EqualsSoftmaxCrossEntropy(double gammaNeg, double eps)
    {
        using var scope = torch.NewDisposeScope();
        var (z, t) = RandomBatch(seed: 13);
        var options = new AsymmetricSingleLabelLossOptions { GammaPos = 0, GammaNeg = gammaNeg, Eps = eps };
        var logits = ToTensor(z).requires_grad_(true);
        var loss = AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(t), options);
        loss.backward();

        var plainCrossEntropy = Enumerable.Range(0, Batch).Average(b => Enumerable.Range(0, Classes)
            .Sum(k => ((k == t[b] ? 1 - eps : 0) + eps / Classes) * (LogSumExp(z, b) - z[b, k])));
        AssertClose([plainCrossEntropy], [loss.item<double>()], 1e-12);

        var torchLogits = ToTensor(z).requires_grad_(true);
        var crossEntropy = nn.functional.cross_entropy(torchLogits, torch.tensor(t), label_smoothing: eps);
        crossEntropy.backward();
        AssertClose([crossEntropy.item<double>()], [loss.item<double>()], 1e-12);
        AssertClose(torchLogits.grad!.data<double>().ToArray(), logits.grad!.data<double>().ToArray(), 1e-12);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    public void Compute_LowerPrecisionLogits_ReturnsFloat32MatchingReference(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var (z, t) = RandomBatch(seed: 15);
        var options = new AsymmetricSingleLabelLossOptions { Reduction = LossReduction.None };
        var logits = ToTensor(z).to_type(dtype).requires_grad_(true);
        var loss = AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(t), options);
        loss.sum().backward();

        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(dtype, logits.grad!.dtype);
        // The reference sees the logits as rounded to the input precision; the rest must be float32-accurate.
        var rounded = FromTensor(logits.detach().to_type(ScalarType.Float64));
        AssertClose(ReferencePerSample(rounded, t, options), loss.data<float>().ToArray().Select(v => (double)v).ToArray(), 1e-5);
    }

    [Fact]
    public void Compute_InsideNoGrad_LeavesAutogradDisabledAndResultDetached()
    {
        using var scope = torch.NewDisposeScope();
        var (z, t) = RandomBatch(seed: 16);
        var logits = ToTensor(z).requires_grad_(true);
        using (torch.no_grad())
        {
            var loss = AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(t), new AsymmetricSingleLabelLossOptions());
            Assert.False(torch.is_grad_enabled());
            Assert.False(loss.requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
        Assert.True(AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(t), new AsymmetricSingleLabelLossOptions()).requires_grad);
        Assert.True(torch.is_grad_enabled());
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    public void Backward_LogitsAcrossMinus100To100_LossAndGradientFinite(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var grid = Enumerable.Range(0, 11).Select(i => -100.0 + 20 * i).ToArray();
        var cases = (from a in grid from b in grid from c in grid from target in new long[] { 0, 1, 2 } select (a, b, c, target)).ToArray();
        var rows = cases.SelectMany(x => new[] { x.a, x.b, x.c }).ToArray();
        var targets = cases.Select(x => x.target).ToArray();
        var gammas = new[] { 0.3, 0.5, 1, 4 };
        foreach (var gammaPos in gammas)
            foreach (var gammaNeg in gammas)
            {
                using var inner = torch.NewDisposeScope();
                var logits = torch.tensor(rows, [targets.Length, 3]).to_type(dtype).requires_grad_(true);
                var options = new AsymmetricSingleLabelLossOptions { GammaPos = gammaPos, GammaNeg = gammaNeg, Reduction = LossReduction.None };
                var loss = AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(targets), options);
                loss.sum().backward();
                Assert.True(torch.isfinite(loss).all().item<bool>(), $"loss not finite for γ+ {gammaPos}, γ− {gammaNeg}");
                Assert.True(torch.isfinite(logits.grad!).all().item<bool>(), $"gradient not finite for γ+ {gammaPos}, γ− {gammaNeg}");
            }
    }

    [Fact]
    public void Compute_BadInputs_ThrowsArgumentExceptionSayingWhy()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.zeros(3, 4);
        var targets = torch.tensor(new long[] { 0, 1, 3 });
        (Tensor Logits, Tensor Targets, string ExpectedInMessage)[] cases =
        [
            (torch.zeros(4), targets, "shape [batch, classes]"),
            (torch.zeros(3, 4, dtype: ScalarType.Int64), targets, "floating point"),
            (torch.zeros(0, 4), torch.zeros(0, dtype: ScalarType.Int64), "empty batch"),
            (torch.zeros(3, 1), torch.zeros(3, dtype: ScalarType.Int64), "at least 2"),
            (logits, torch.tensor(new long[] { 0, 1 }), "shape [3]"),
            (logits, torch.zeros(3, 1, dtype: ScalarType.Int64), "shape [3]"),
            (logits, torch.tensor(new[] { 0, 1, 3 }), "int64"),
            (logits, torch.tensor(new long[] { 0, -1, 3 }), "[0, 4)"),
            (logits, torch.tensor(new long[] { 0, 4, 3 }), "[0, 4)"),
        ];
        foreach (var (badLogits, badTargets, expectedInMessage) in cases)
        {
            var error = Assert.ThrowsAny<ArgumentException>(
                () => AsymmetricSingleLabelLoss.Compute(badLogits, badTargets, new AsymmetricSingleLabelLossOptions()));
            Assert.Contains(expectedInMessage, error.Message);
        }
    }

    [Fact]
    public void Forward_DefaultModule_AppliesOfficialSettings()
    {
        using var scope = torch.NewDisposeScope();
        using var module = new AsymmetricSingleLabelLoss();
        var (z, t) = RandomBatch(seed: 17);
        var official = new AsymmetricSingleLabelLossOptions { GammaPos = 0, GammaNeg = 4, Eps = 0.1, Reduction = LossReduction.Mean };

        var loss = module.call(ToTensor(z), torch.tensor(t));

        Assert.Equal(official, module.Options);
        AssertClose([ReferenceLoss(z, t, official)], [loss.item<double>()], 1e-12);
    }

    [Fact]
    public void Constructor_NegativeGamma_ThrowsConfigExceptionNamingField()
    {
        var error = Assert.Throws<ConfigException>(() => new AsymmetricSingleLabelLoss(new AsymmetricSingleLabelLossOptions { GammaNeg = -1 }));
        Assert.Equal("loss.gamma_neg", error.Field);
    }

    private static void AssertGradientMatchesFiniteDifferences(double[,] z, long[] t, AsymmetricSingleLabelLossOptions options)
    {
        var logits = ToTensor(z).requires_grad_(true);
        var loss = AsymmetricSingleLabelLoss.Compute(logits, torch.tensor(t), options);
        loss.backward();
        var gradient = logits.grad!.data<double>().ToArray();
        AssertClose([ReferenceLoss(z, t, options)], [loss.item<double>()], 1e-12);

        const double h = 1e-5;
        var (rows, cols) = (z.GetLength(0), z.GetLength(1));
        var expected = new double[rows * cols];
        for (var b = 0; b < rows; b++)
            for (var k = 0; k < cols; k++)
            {
                var shifted = (double[,])z.Clone();
                shifted[b, k] = z[b, k] + h;
                var up = ReferenceLoss(shifted, t, options);
                shifted[b, k] = z[b, k] - h;
                var down = ReferenceLoss(shifted, t, options);
                expected[b * cols + k] = (up - down) / (2 * h);
            }
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
        AssertClose(expected, gradient, 1e-7);
    }

    /// <summary>The official formula, sample by sample, in double arithmetic.</summary>
    private static double[] ReferencePerSample(double[,] z, long[] t, AsymmetricSingleLabelLossOptions options)
    {
        var (rows, cols) = (z.GetLength(0), z.GetLength(1));
        var losses = new double[rows];
        for (var b = 0; b < rows; b++)
        {
            var logNorm = LogSumExp(z, b);
            // Summed over the other classes: 1 − q_target would cancel to 0 at the saturated logits tested here.
            var oneMinusQTarget = 0.0;
            for (var k = 0; k < cols; k++)
                if (k != t[b])
                    oneMinusQTarget += Math.Exp(z[b, k] - logNorm);
            for (var k = 0; k < cols; k++)
            {
                var logQ = z[b, k] - logNorm;
                var isTarget = k == t[b];
                var weight = isTarget ? Math.Pow(oneMinusQTarget, options.GammaPos) : Math.Pow(Math.Exp(logQ), options.GammaNeg);
                var smoothed = (isTarget ? 1 - options.Eps : 0) + options.Eps / cols;
                losses[b] -= smoothed * logQ * weight;
            }
        }
        return losses;
    }

    private static double ReferenceLoss(double[,] z, long[] t, AsymmetricSingleLabelLossOptions options)
    {
        var perSample = ReferencePerSample(z, t, options);
        return options.Reduction == LossReduction.Sum ? perSample.Sum() : perSample.Average();
    }

    private static double LogSumExp(double[,] z, int row)
    {
        var max = Enumerable.Range(0, z.GetLength(1)).Max(k => z[row, k]);
        return max + Math.Log(Enumerable.Range(0, z.GetLength(1)).Sum(k => Math.Exp(z[row, k] - max)));
    }

    private static (double[,] Logits, long[] Targets) RandomBatch(int seed)
    {
        var random = new Random(seed);
        var z = new double[Batch, Classes];
        for (var b = 0; b < Batch; b++)
            for (var k = 0; k < Classes; k++)
                z[b, k] = random.NextDouble() * 8 - 4;
        var t = Enumerable.Range(0, Batch).Select(_ => (long)random.Next(Classes)).ToArray();
        return (z, t);
    }

    private static Tensor ToTensor(double[,] z) =>
        torch.tensor(z.Cast<double>().ToArray(), [z.GetLength(0), z.GetLength(1)], dtype: ScalarType.Float64);

    private static double[,] FromTensor(Tensor tensor)
    {
        var values = tensor.data<double>().ToArray();
        var z = new double[tensor.shape[0], tensor.shape[1]];
        Buffer.BlockCopy(values, 0, z, 0, values.Length * sizeof(double));
        return z;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance})");
    }
}
