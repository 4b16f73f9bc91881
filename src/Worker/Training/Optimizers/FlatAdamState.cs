using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamState = TorchSharp.Modules.Adam.State;

namespace Asl.Distributed.Training.Optimizers;

/// <summary>
/// Adam's state on the flat layout: exp_avg, exp_avg_sq and (with amsgrad) max_exp_avg_sq are each one buffer laid out
/// like <see cref="FlatParameters"/>, and every parameter's TorchSharp <c>Adam.State</c> holds views of them. Saving
/// therefore writes the per-parameter layout TorchSharp writes, and a checkpoint of either layout loads into the other:
/// TorchSharp's binary load copies into the state tensors in place; where a load replaces a tensor instead (the
/// state-dictionary load, max_exp_avg_sq), <see cref="Rebind"/> copies the new values into the buffer before the step.
/// </summary>
internal sealed class FlatAdamState : IDisposable
{
    private readonly AdamState[] _states;       // in layout order
    // Views of the buffers kept here, and the views handed to the states: a state may dispose what it holds (its
    // Initialize and its state-dictionary load do), which must not dispose these.
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly Tensor?[] _maxExpAvgSq;
    private readonly Tensor?[] _handedExpAvg;
    private readonly Tensor?[] _handedExpAvgSq;
    private readonly Tensor?[] _handedMaxExpAvgSq;
    private readonly FlatAdamGroup[] _groups;

    public FlatAdamState(FlatParameters layout, Func<Parameter, AdamState> stateOf)
    {
        Layout = layout;
        int n = layout.Parameters.Count;
        _states = layout.Parameters.Select(stateOf).ToArray();
        // Everything kept is detached from the caller's dispose scope: it lives as long as the optimizer.
        ExpAvg = torch.zeros_like(layout.Data).DetachFromDisposeScope();
        ExpAvgSq = torch.zeros_like(layout.Data).DetachFromDisposeScope();
        bool amsgrad = _states.Any(s => s.max_exp_avg_sq is not null);
        MaxExpAvgSq = amsgrad ? torch.zeros_like(layout.Data).DetachFromDisposeScope() : null;
        _expAvg = new Tensor[n];
        _expAvgSq = new Tensor[n];
        _maxExpAvgSq = new Tensor?[n];
        _handedExpAvg = new Tensor?[n];
        _handedExpAvgSq = new Tensor?[n];
        _handedMaxExpAvgSq = new Tensor?[n];
        for (int i = 0; i < n; i++)
        {
            _expAvg[i] = layout.View(ExpAvg, i).DetachFromDisposeScope();
            _expAvgSq[i] = layout.View(ExpAvgSq, i).DetachFromDisposeScope();
            _maxExpAvgSq[i] = _states[i].max_exp_avg_sq is null ? null : layout.View(MaxExpAvgSq!, i).DetachFromDisposeScope();
        }
        _groups = Enumerable.Range(0, layout.GroupCount).Select(g => new FlatAdamGroup(
            Keep(layout.GroupView(layout.Data, g)), Keep(layout.GroupView(layout.Grad, g)), Keep(layout.GroupView(ExpAvg, g)),
            Keep(layout.GroupView(ExpAvgSq, g)), MaxExpAvgSq is null ? null : Keep(layout.GroupView(MaxExpAvgSq, g)))).ToArray();
        Bind(disposeReplaced: true);
    }

    public FlatParameters Layout { get; }

    public Tensor ExpAvg { get; }

    public Tensor ExpAvgSq { get; }

    /// <summary>The amsgrad maxima, or null when no group uses amsgrad.</summary>
    public Tensor? MaxExpAvgSq { get; }

    /// <summary>
    /// Points every state at its views again where something replaced a state tensor, after copying the replacement's
    /// values into the buffer. Reference comparisons only: nothing runs on the device when nothing changed.
    /// </summary>
    public void Rebind() => Bind(disposeReplaced: false);

    /// <summary>Group <paramref name="group"/>'s slices of the parameter, gradient and state buffers.</summary>
    public FlatAdamGroup Group(int group) => _groups[group];

    /// <summary>
    /// Binds every state to its views. The tensors a state held at construction are its own (zeros from its Initialize)
    /// and are disposed; a tensor that replaced a view later may be shared (TorchSharp's state-dictionary load can hand
    /// over another optimizer's tensor), so it is only dropped.
    /// </summary>
    private void Bind(bool disposeReplaced)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _states.Length; i++)
        {
            var state = _states[i];
            state.exp_avg = Adopt(state.exp_avg, ref _handedExpAvg[i], _expAvg[i], disposeReplaced);
            state.exp_avg_sq = Adopt(state.exp_avg_sq, ref _handedExpAvgSq[i], _expAvgSq[i], disposeReplaced);
            if (_maxExpAvgSq[i] is { } max && state.max_exp_avg_sq is not null)
                state.max_exp_avg_sq = Adopt(state.max_exp_avg_sq, ref _handedMaxExpAvgSq[i], max, disposeReplaced);
        }
    }

    /// <summary>
    /// The step count every parameter of group <paramref name="group"/> shares, or null when they differ (a checkpoint of
    /// a per-parameter run in which some parameter missed steps for want of a gradient): the group then needs the
    /// per-parameter update, whose bias corrections differ by parameter.
    /// </summary>
    public long? SharedStep(int group)
    {
        long? step = null;
        for (int i = 0; i < _states.Length; i++)
        {
            if (Layout.GroupOf(i) != group)
                continue;
            if (step is null)
                step = _states[i].step;
            else if (_states[i].step != step)
                return null;
        }
        return step;
    }

    /// <summary>Adds one to the step count of every parameter of <paramref name="group"/>.</summary>
    public void CountStep(int group)
    {
        for (int i = 0; i < _states.Length; i++)
        {
            if (Layout.GroupOf(i) == group)
                _states[i].step += 1;
        }
    }

    public void Dispose()
    {
        foreach (var g in _groups)
            g.Dispose();
        foreach (var view in _expAvg.Concat(_expAvgSq).Concat(_maxExpAvgSq))
            view?.Dispose();
        ExpAvg.Dispose();
        ExpAvgSq.Dispose();
        MaxExpAvgSq?.Dispose();
    }

    private static Tensor Adopt(Tensor current, ref Tensor? handed, Tensor own, bool disposeReplaced)
    {
        if (ReferenceEquals(current, handed))
            return current;
        own.copy_(current);
        if (disposeReplaced)
            current.Dispose();
        // The step runs inside a dispose scope; the state keeps this tensor across steps.
        handed = own.alias().DetachFromDisposeScope();
        return handed;
    }

    private static Tensor Keep(Tensor view) => view.DetachFromDisposeScope();
}
