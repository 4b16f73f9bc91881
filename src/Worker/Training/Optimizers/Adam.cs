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
/// <remarks>
/// With <c>flat: true</c> the parameters, gradients and state of each group become views of contiguous buffers
/// (<see cref="FlatParameters"/>) and the step runs each operation once per group on the group's whole slice, instead
/// of once per parameter tensor: the same element-wise kernels on the same values, so the bits are the same. The saved
/// state keeps TorchSharp's per-parameter layout. One difference in behaviour: every parameter of the layout has a
/// gradient (zero until backward writes one), so a parameter that got no gradient in a step is still updated with a
/// zero gradient, as with PyTorch's <c>zero_grad(set_to_none=False)</c>, where TorchSharp's Adam would skip a null one.
/// </remarks>
public sealed class Adam : TorchSharp.Modules.Adam
{
    private readonly FlatAdamState? _flat;
    private readonly Dictionary<ParamGroup, int> _groupIndex = [];

    /// <summary>
    /// Creates the optimizer over <paramref name="groups"/>; the arguments are those of <c>torch.optim.Adam</c>, and
    /// <paramref name="flat"/> moves the parameters into flat buffers and steps whole groups at once.
    /// </summary>
    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false, bool flat = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize)
    {
        for (int g = 0; g < _parameter_groups.Count; g++)
            _groupIndex[(ParamGroup)_parameter_groups[g]] = g;
        if (flat)
            _flat = new FlatAdamState(new FlatParameters(_parameter_groups.Select(g => g.Parameters)), p => (State)_state[p.Handle]);
    }

    /// <summary>The flat layout of parameters and gradients; null for the per-parameter step.</summary>
    public FlatParameters? Flat => _flat?.Layout;

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (_flat is not null)
        {
            _flat.Layout.Check();
            _flat.Rebind();
        }
        return _step<ParamGroup>(Update, closure);
    }

    /// <summary>Zeroes every gradient in place: on the flat layout one kernel for all of them.</summary>
    public override void zero_grad()
    {
        if (_flat is null)
            base.zero_grad();
        else
            _flat.Layout.Grad.zero_();
    }

    /// <summary>Refused on the flat layout, whose buffers are sized once; allowed otherwise.</summary>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        if (_flat is not null)
            throw new NotSupportedException("the flat Adam cannot take parameter groups after construction; pass every group to the constructor");
        base.add_param_group(param_group);
    }

    private void Update(ParamGroup group)
    {
        using var update = new AdamUpdate((Options)group.Options);
        if (_flat is not null)
        {
            int g = _groupIndex[group];
            if (_flat.SharedStep(g) is { } step)
            {
                // The whole group at once: every parameter has a gradient (Check) and the same step count.
                var t = _flat.Group(g);
                _flat.CountStep(g);
                update.Apply(t.Data, t.Grad, t.ExpAvg, t.ExpAvgSq, t.MaxExpAvgSq, step + 1);
                return;
            }
            // Step counts differ within the group (a per-parameter checkpoint): each parameter with its own bias correction.
        }
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null)
                continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            update.Apply(param, grad, state.exp_avg, state.exp_avg_sq, state.max_exp_avg_sq, state.step);
        }
    }

    /// <summary>Releases the flat buffers' references (the parameters keep theirs).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _flat is not null)
        {
            _flat.Dispose();
            _flat.Layout.Dispose();
        }
        base.Dispose(disposing);
    }
}
