using Asl.Distributed.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Tests.Losses;

/// <summary>Runs one implementation on plain arrays and returns the loss and the gradient as doubles.</summary>
internal static class LossRunner
{
    public static (double[] Loss, double[] Grad) Run(
        AsymmetricLossImplementation implementation, double[] z, double[] y, AsymmetricLossSettings s,
        ScalarType dtype = ScalarType.Float64, long[]? shape = null)
    {
        using var scope = NewDisposeScope();
        shape ??= [1, z.Length];
        var logits = torch.tensor(z, dtype: ScalarType.Float64).reshape(shape).to(dtype).requires_grad_(true);
        var targets = torch.tensor(y, dtype: ScalarType.Float64).reshape(shape).to(dtype);
        var loss = Compute(implementation, logits, targets, s);
        var lossValues = loss.to(ScalarType.Float64).flatten().data<double>().ToArray();
        loss.backward([torch.ones_like(loss)]);
        var grad = logits.grad!.to(ScalarType.Float64).flatten().data<double>().ToArray();
        return (lossValues, grad);
    }

    public static Tensor Compute(AsymmetricLossImplementation implementation, Tensor logits, Tensor targets, AsymmetricLossSettings s) =>
        implementation == AsymmetricLossImplementation.Composite
            ? AsymmetricLossComposite.Compute(logits, targets, s)
            : AsymmetricLossFused.Compute(logits, targets, s);

    /// <summary>‖a − b‖₂ / ‖b‖₂, with a floor so that an all-zero reference compares absolutely.</summary>
    public static double RelativeError(double[] a, double[] b)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-30);
    }
}
