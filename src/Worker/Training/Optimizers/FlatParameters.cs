using Asl.Distributed.Training.DataParallel;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Optimizers;

/// <summary>
/// The parameters of an optimizer's groups and their gradients as views of two contiguous float32 buffers, so that an
/// update runs each operation once per group on the whole group rather than once per parameter tensor (TorchSharp
/// 0.107 has no foreach or fused optimizers: about eight kernels per tensor, more launches than a GPU step can hide).
/// </summary>
/// <remarks>
/// <para>
/// Layout: the groups one after another, each a contiguous slice; within a group its parameters in the reverse of the
/// order given. The trainer gives registration order, so each group lies in backward order, which is the order in
/// which <see cref="GradientBuckets"/> wants its buckets: it adopts <see cref="Grad"/> as its buffer and cuts the
/// buckets over this layout, so one buffer serves the all-reduce and the optimizer. Compared with a buffer over all
/// parameters in reverse registration order, the buckets of the no-decay group (biases and BatchNorm parameters, about
/// 1 % of a ResNet's parameters) come after those of the weights, and their all-reduce waits for the end of backward.
/// </para>
/// <para>
/// A parameter becomes a view with <c>Tensor.set_</c> (under no-grad): its values are copied into the buffer first and
/// the parameter's own tensor then points at that storage. The parameter objects, their handles (the optimizer's state
/// keys), <c>parameters()</c>, <c>state_dict</c> and saving all stay as they were; loading copies into them in place.
/// Autograd accumulates into the gradient views (they survive <c>optimizer.zero_grad()</c>, which zeroes in place;
/// <c>Module.zero_grad()</c> sets them to null and breaks the layout, which <see cref="Check"/> reports).
/// </para>
/// </remarks>
public sealed class FlatParameters : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly long[] _offsets;
    private readonly int[] _groupOfParameter;
    private readonly (long Start, long Length)[] _groups;
    private readonly Dictionary<nint, int> _indexOfHandle = [];

    /// <summary>
    /// Moves every parameter of <paramref name="groups"/> into the flat buffers: values copied into <see cref="Data"/>,
    /// gradients into <see cref="Grad"/> (zero where a parameter has none yet).
    /// </summary>
    public FlatParameters(IEnumerable<IEnumerable<Parameter>> groups)
    {
        var ordered = new List<Parameter>();
        var groupOf = new List<int>();
        var ranges = new List<(long, long)>();
        long total = 0;
        foreach (var group in groups)
        {
            long start = total;
            foreach (var p in group.Reverse())
            {
                if (!_indexOfHandle.TryAdd(p.Handle, ordered.Count))
                    throw new ArgumentException($"parameter {ordered.Count} (shape [{string.Join(", ", p.shape)}]) appears twice in the optimizer's groups", nameof(groups));
                if (p.dtype != ScalarType.Float32)
                    throw new NotSupportedException($"a flat optimizer step needs float32 parameters; parameter {ordered.Count} of shape [{string.Join(", ", p.shape)}] is {p.dtype}");
                if (ordered.Count > 0 && (p.device_type != ordered[0].device_type || p.device_index != ordered[0].device_index))
                    throw new NotSupportedException($"a flat optimizer step needs every parameter on one device; got {ordered[0].device} and {p.device}");
                ordered.Add(p);
                groupOf.Add(ranges.Count);
                total += p.numel();
            }
            ranges.Add((start, total - start));
        }
        _parameters = [.. ordered];
        _groupOfParameter = [.. groupOf];
        _groups = [.. ranges];
        _offsets = new long[_parameters.Length];
        var device = _parameters.Length > 0 ? _parameters[0].device : torch.CPU;
        // Detached from any dispose scope the caller has open: the buffers live as long as the optimizer.
        Data = torch.zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
        Grad = torch.zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
        using var noGrad = torch.no_grad();
        long offset = 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            _offsets[i] = offset;
            using var data = View(Data, i);
            data.copy_(p);
            // set_ points the parameter's own tensor at the buffer: every reference to the parameter sees the view.
            p.set_(data);
            using var grad = View(Grad, i);
            using (var old = p.grad)
            {
                if (old is not null)
                    grad.copy_(old);
            }
            p.grad = grad;
            offset += p.numel();
        }
    }

    /// <summary>Every parameter's values: the groups one after another, each in reverse of the order given.</summary>
    public Tensor Data { get; }

    /// <summary>Every parameter's gradient, in the layout of <see cref="Data"/>.</summary>
    public Tensor Grad { get; }

    /// <summary>The parameters in layout order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Floats in each buffer.</summary>
    public long Length => Data.numel();

    /// <summary>How many groups the layout holds.</summary>
    public int GroupCount => _groups.Length;

    /// <summary>Where group <paramref name="group"/> lies in the buffers.</summary>
    public (long Start, long Length) GroupRange(int group) => _groups[group];

    /// <summary>Where parameter <paramref name="index"/> (in layout order) starts in the buffers.</summary>
    public long OffsetOf(int index) => _offsets[index];

    /// <summary>The group that holds parameter <paramref name="index"/> (in layout order).</summary>
    public int GroupOf(int index) => _groupOfParameter[index];

    /// <summary>The layout index of <paramref name="parameter"/>, or −1 for a parameter not in the layout.</summary>
    public int IndexOf(Parameter parameter) => _indexOfHandle.TryGetValue(parameter.Handle, out int index) ? index : -1;

    /// <summary>Group <paramref name="group"/>'s slice of <paramref name="flat"/>, a buffer of this layout (in the current dispose scope, like any new tensor).</summary>
    public Tensor GroupView(Tensor flat, int group) => flat.narrow(0, _groups[group].Start, _groups[group].Length);

    /// <summary>Parameter <paramref name="index"/>'s slice of <paramref name="flat"/>, in the parameter's shape (in the current dispose scope).</summary>
    public Tensor View(Tensor flat, int index)
    {
        using var slice = flat.narrow(0, _offsets[index], _parameters[index].numel());
        return slice.view(_parameters[index].shape);
    }

    /// <summary>
    /// Throws when a parameter or its gradient is no longer a view of the buffers (a gradient set to null by
    /// <c>Module.zero_grad()</c>, a parameter given new storage): a whole-buffer update would then miss it. On devices
    /// other than the CPU only the gradients' presence is checked (their addresses cannot be read from .NET).
    /// </summary>
    public void Check()
    {
        bool cpu = Data.device_type == DeviceType.CPU;
        nint data = cpu ? TensorMemory.Address(Data) : 0, grad = cpu ? TensorMemory.Address(Grad) : 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            using var g = p.grad;
            if (g is null)
                throw new InvalidOperationException($"parameter {i} of the flat layout (shape [{string.Join(", ", p.shape)}]) has no gradient; was Module.zero_grad() called? Use optimizer.zero_grad(), which keeps the views");
            if (!cpu)
                continue;
            nint expected = (nint)(_offsets[i] * sizeof(float));
            if (TensorMemory.Address(g) != grad + expected)
                throw new InvalidOperationException($"parameter {i} of the flat layout (shape [{string.Join(", ", p.shape)}]): its gradient is no longer a view of the flat gradient buffer");
            if (TensorMemory.Address(p) != data + expected)
                throw new InvalidOperationException($"parameter {i} of the flat layout (shape [{string.Join(", ", p.shape)}]) no longer lies in the flat parameter buffer");
        }
    }

    /// <summary>Releases this object's references to the buffers; the parameters keep theirs.</summary>
    public void Dispose()
    {
        Data.Dispose();
        Grad.Dispose();
    }
}
