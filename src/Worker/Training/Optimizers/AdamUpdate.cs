using Asl.Distributed.Training.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Optimizers;

/// <summary>
/// One parameter group's Adam coefficients for one step, with every Scalar held until the group is done (issue 15:
/// TorchSharp frees Scalars in finalizers, so one made inline can be freed while libtorch reads it), and the update
/// itself, TorchSharp 0.107's <c>Adam.step</c> operation for operation with Scalars of the same types. The per-parameter
/// step applies it to each parameter tensor, the flat step to a whole group's buffers: the same element-wise kernels
/// on the same values, so both give the same bits.
/// </summary>
internal sealed class AdamUpdate : IDisposable
{
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _lr;
    private readonly double _weightDecay;
    private readonly bool _amsgrad;
    private readonly bool _maximize;
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _gradientWeight;
    private readonly Scalar _squareWeight;
    private readonly Scalar _eps;
    private readonly Scalar _decay;

    public AdamUpdate(TorchSharp.Modules.Adam.Options options)
    {
        _beta1 = options.beta1!.Value;
        _beta2 = options.beta2!.Value;
        _weightDecay = options.weight_decay!.Value;
        _lr = options.LearningRate!.Value;
        _amsgrad = options.amsgrad!.Value;
        _maximize = options.maximize!.Value;
        _beta1Scalar = _beta1.ToScalar();
        _beta2Scalar = _beta2.ToScalar();
        _gradientWeight = (1 - _beta1).ToScalar();
        _squareWeight = (1 - _beta2).ToScalar();
        _eps = options.eps!.Value.ToScalar();
        _decay = _weightDecay.ToScalar();
    }

    public bool AmsGrad => _amsgrad;

    /// <summary>
    /// Updates <paramref name="param"/> and its state in place, <paramref name="step"/> being the step count after this
    /// step (1 on the first). <paramref name="maxExpAvgSq"/> is needed with amsgrad only. Temporaries go to the caller's
    /// dispose scope.
    /// </summary>
    public void Apply(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, long step)
    {
        if (_maximize)
            grad = grad.neg();
        double biasCorrection1 = 1 - Math.Pow(_beta1, step);
        double biasCorrection2 = 1 - Math.Pow(_beta2, step);
        if (_weightDecay != 0)
            grad = grad.add(param, _decay);

        expAvg.mul_(_beta1Scalar).add_(grad, _gradientWeight);
        expAvgSq.mul_(_beta2Scalar).addcmul_(grad, grad.conj(), _squareWeight);

        if (_amsgrad)
        {
            var max = maxExpAvgSq ?? throw new InvalidOperationException("amsgrad is on but the parameter has no max_exp_avg_sq state");
            // TorchSharp replaces the tensor with torch.maximum's result; copying it in keeps the state where it lies
            // (a view of the flat buffer). The maximum is exact, so the bits are the same.
            max.copy_(torch.maximum(max, expAvgSq));
        }
        using var correction2Root = Math.Sqrt(biasCorrection2).ToScalar();
        // TorchSharp's add_(eps) adds an alpha of 1 of its own making; this one is held.
        var denominator = (_amsgrad ? maxExpAvgSq! : expAvgSq).sqrt().div(correction2Root).add_(_eps, HeldScalars.One);
        using var stepSize = (-(_lr / biasCorrection1)).ToScalar();
        param.addcdiv_(expAvg, denominator, stepSize);
    }

    public void Dispose()
    {
        _beta1Scalar.Dispose();
        _beta2Scalar.Dispose();
        _gradientWeight.Dispose();
        _squareWeight.Dispose();
        _eps.Dispose();
        _decay.Dispose();
    }
}
