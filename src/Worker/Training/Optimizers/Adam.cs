using Asl.Distributed.Training.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Optimizers;

/// <summary>
/// TorchSharp's Adam with a step that keeps every Scalar it hands libtorch referenced until the call has returned.
/// TorchSharp 0.107's <c>Adam.step</c> converts its coefficients inline (<c>mul_(beta1)</c>,
/// <c>add_(grad, alpha: 1 - beta1)</c>, <c>add_(eps)</c>, …: eight Scalars per parameter per step, nine with weight
/// decay) and nothing references them while libtorch reads them, so a collection on another thread can finalize and
/// free one mid-call: the race that killed a run in BatchNorm in issue 15 (see <see cref="HeldScalars"/>). The update
/// is TorchSharp's operation for operation, with Scalars of the same types, so results are bitwise equal; state,
/// parameter groups and saving are inherited. The class is named Adam on purpose: saved optimizer state records the
/// type's name and refuses to load under another, so checkpoints written by TorchSharp's Adam and by this one load
/// into either.
/// </summary>
public sealed class Adam : TorchSharp.Modules.Adam
{
    /// <summary>Creates the optimizer over <paramref name="groups"/>; the arguments are those of <c>torch.optim.Adam</c>.</summary>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
    }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(Update, closure);

    private void Update(ParamGroup group)
    {
        var options = group.Options;
        double beta1 = options.beta1!.Value;
        double beta2 = options.beta2!.Value;
        double weightDecay = options.weight_decay!.Value;
        double lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value;
        bool maximize = options.maximize!.Value;
        // Each Scalar is referenced until its using ends, after the last native call that reads it.
        using var beta1Scalar = beta1.ToScalar();
        using var beta2Scalar = beta2.ToScalar();
        using var gradientWeight = (1 - beta1).ToScalar();
        using var squareWeight = (1 - beta2).ToScalar();
        using var eps = options.eps!.Value.ToScalar();
        using var decay = weightDecay.ToScalar();

        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null)
                continue;
            var state = (State)_state[param.Handle];
            if (maximize)
                grad = -grad;
            state.step += 1;
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0)
                grad = grad.add(param, decay);

            state.exp_avg.mul_(beta1Scalar).add_(grad, gradientWeight);
            state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), squareWeight);

            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = torch.maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
            }
            using var correction2Root = Math.Sqrt(biasCorrection2).ToScalar();
            // TorchSharp's add_(eps) adds an alpha of 1 of its own making; this one is held.
            var denominator = (amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq).sqrt().div(correction2Root).add_(eps, HeldScalars.One);
            using var stepSize = (-(lr / biasCorrection1)).ToScalar();
            param.addcdiv_(state.exp_avg, denominator, stepSize);
        }
    }
}
