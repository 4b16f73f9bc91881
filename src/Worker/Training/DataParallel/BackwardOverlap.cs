using Asl.Distributed.Training.Collectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// Starts each gradient bucket's all-reduce while backward is still running. TorchSharp has no gradient hooks on
/// tensors, so every module that owns parameters gets a forward pre-hook that passes its input through
/// <see cref="GradientReadyProbe"/>, an identity autograd function. The probe's backward runs once the module's
/// own backward has produced the gradient of its input, and libtorch's engine runs the AccumulateGrad nodes of
/// the module's parameters, which become ready at the same moment, before any other node: so when the probe fires,
/// the module's parameter gradients are final. A bucket starts once every module holding one of its parameters
/// has fired, and buckets start strictly in bucket order (the same on every rank), one behind another on the ring.
/// Buckets whose modules never fire (the first layer, whose input needs no gradient) or that belong to a module
/// called twice in one step (its first probe would fire too early) go after backward.
/// </summary>
public sealed class BackwardOverlap : IDisposable
{
    private readonly GradientBuckets _buckets;
    private readonly ProcessGroup _group;
    private readonly bool _average;
    private readonly int[][] _bucketsOfModule;
    private readonly int[] _modulesOfBucket;
    private readonly List<Action> _unhook = [];
    private readonly Lock _sync = new();
    private int[] _waiting = [];
    private int[] _calls = [];
    private bool[] _late = [];
    private int _nextBucket;
    private Task _chain = Task.CompletedTask;
    private bool _active;
    private CancellationToken _cancellation;

    /// <summary>Hooks every module of <paramref name="model"/> that owns parameters held by <paramref name="buckets"/>.</summary>
    public BackwardOverlap(nn.Module model, GradientBuckets buckets, ProcessGroup group, bool average)
    {
        _buckets = buckets;
        _group = group;
        _average = average;
        var owners = model.modules().Where(m => m.named_parameters(recurse: false).Any()).ToList();
        _bucketsOfModule = owners.Select(m => m.named_parameters(recurse: false)
            .Select(p => buckets.BucketOf(p.parameter)).Where(b => b >= 0).Distinct().ToArray()).ToArray();
        _modulesOfBucket = new int[buckets.Buckets.Count];
        for (int m = 0; m < owners.Count; m++)
        {
            foreach (int b in _bucketsOfModule[m])
                _modulesOfBucket[b]++;
            if (owners[m] is not nn.Module<Tensor, Tensor> hookable)
            {
                // A module with another signature cannot be probed: its buckets wait for the end of backward.
                _bucketsOfModule[m] = [];
                continue;
            }
            int index = m;
            Action ready = () => ModuleDone(index);
            var remover = hookable.register_forward_pre_hook((_, input) => Probe(index, input, ready));
            _unhook.Add(remover.remove);
        }
    }

    /// <summary>How many buckets the last step started before backward returned.</summary>
    public int StartedDuringBackward { get; private set; }

    /// <summary>Arms the hooks for one step; call before its forward pass.</summary>
    public void BeginStep(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            _waiting = (int[])_modulesOfBucket.Clone();
            _calls = new int[_bucketsOfModule.Length];
            _late = new bool[_modulesOfBucket.Length];
            _nextBucket = 0;
            _chain = Task.CompletedTask;
            _cancellation = cancellationToken;
            _active = true;
        }
    }

    /// <summary>After backward: starts the buckets still waiting, in order, and waits until every bucket is reduced.</summary>
    public Task FinishAsync()
    {
        lock (_sync)
        {
            _active = false;
            StartedDuringBackward = _nextBucket;
            while (_nextBucket < _waiting.Length)
                StartNext();
            return _chain;
        }
    }

    public void Dispose()
    {
        foreach (var unhook in _unhook)
            unhook();
    }

    private Tensor Probe(int module, Tensor input, Action ready)
    {
        lock (_sync)
        {
            if (!_active)
                return input;
            if (++_calls[module] > 1)
            {
                // Called twice: the first probe to fire would not mean the module is done.
                foreach (int b in _bucketsOfModule[module])
                    _late[b] = true;
                return input;
            }
        }
        return input.requires_grad ? GradientReadyProbe.apply(input, ready) : input;
    }

    private void ModuleDone(int module)
    {
        lock (_sync)
        {
            if (!_active)
                return;
            foreach (int b in _bucketsOfModule[module])
                _waiting[b]--;
            while (_nextBucket < _waiting.Length && _waiting[_nextBucket] == 0 && !_late[_nextBucket])
                StartNext();
        }
    }

    private void StartNext()
    {
        int bucket = _nextBucket++;
        var token = _cancellation;
        // A staged (GPU) bucket starts its copy to the host now, behind the kernels that produced it, while the
        // buckets before it may still be on the wire.
        _buckets.StageOut(bucket);
        _chain = _chain.ContinueWith(previous =>
        {
            previous.GetAwaiter().GetResult(); // a failed bucket fails the rest
            return _buckets.AllReduceBucketAsync(_group, bucket, _average, token);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
    }
}

/// <summary>Identity in forward; its backward calls the action it was given, then passes the gradient through.</summary>
internal sealed class GradientReadyProbe : autograd.SingleTensorFunction<GradientReadyProbe>
{
    public override string Name => nameof(GradientReadyProbe);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data("ready", vars[1]);
        return ((Tensor)vars[0]).alias();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ((Action)ctx.get_data("ready"))();
        return [grad_output, null!];
    }
}
