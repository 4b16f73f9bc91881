using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// Every trainable parameter's gradient as a view into one flat float32 buffer, laid out in reverse registration order
/// (the order in which backward produces them, as DDP buckets them), or in the layout of a flat optimizer (each of its
/// groups in reverse registration order, see <see cref="FlatParameters"/>), and cut into buckets of about
/// <see cref="BucketBytes"/>, each a contiguous slice. Backward accumulates straight into the buffer, so packing
/// costs nothing; the all-reduce runs on the buffer's memory in place.
/// </summary>
/// <remarks>
/// When the all-reduce runs: <see cref="BackwardOverlap"/> starts each bucket during backward once the modules
/// holding its parameters are done; whatever is left goes right after backward, buckets one behind another.
/// Views survive <c>optimizer.zero_grad()</c>, which zeroes in place; <c>Module.zero_grad()</c> would drop them.
/// </remarks>
public sealed class GradientBuckets : IDisposable
{
    /// <summary>The default bucket size, PyTorch DDP's bucket_cap_mb = 25.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly Tensor _flat;
    private readonly Parameter[] _parameters;
    private readonly (int Start, int Length)[] _buckets;
    private readonly Dictionary<nint, int> _bucketOfParameter = [];  // keyed by the parameter's data address

    /// <summary>Points every trainable parameter's gradient at the flat buffer (zeroed).</summary>
    public GradientBuckets(IEnumerable<Parameter> parameters, long bucketBytes = DefaultBucketBytes)
        : this(parameters.Where(p => p.requires_grad).Reverse().ToArray(), null, bucketBytes)
    {
    }

    /// <summary>
    /// Adopts the gradient buffer of a flat optimizer layout (which already points every gradient at it) and cuts the
    /// buckets over that layout: each optimizer group in backward order, one group after another (see
    /// <see cref="FlatParameters"/>). The layout must hold every trainable parameter of the model; it keeps ownership of
    /// the buffer.
    /// </summary>
    public GradientBuckets(FlatParameters layout, long bucketBytes = DefaultBucketBytes)
        : this([.. layout.Parameters], layout.Grad, bucketBytes)
    {
    }

    private GradientBuckets(Parameter[] parameters, Tensor? adopted, long bucketBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, sizeof(float));
        BucketBytes = bucketBytes;
        _parameters = parameters;
        foreach (var p in _parameters)
        {
            if (p.dtype != ScalarType.Float32 || p.device_type != DeviceType.CPU)
                throw new NotSupportedException($"data-parallel gradients need float32 CPU parameters; got {p.dtype} on {p.device}");
        }
        long total = _parameters.Sum(p => p.numel());
        if (total > Array.MaxLength)
            throw new NotSupportedException($"{total} parameters do not fit one gradient buffer (at most {Array.MaxLength})");
        _flat = adopted?.alias().DetachFromDisposeScope() ?? torch.zeros(total, ScalarType.Float32);
        var buckets = new List<(int, int)>();
        long offset = 0, bucketStart = 0;
        long bucketFloats = bucketBytes / sizeof(float);
        foreach (var p in _parameters)
        {
            long n = p.numel();
            if (adopted is null)
            {
                using (torch.no_grad())
                    p.grad = _flat.narrow(0, offset, n).view(p.shape);
            }
            offset += n;
            _bucketOfParameter[TensorMemory.Address(p)] = buckets.Count;
            // A parameter never straddles two buckets; a bucket closes once it reaches the cap.
            if (offset - bucketStart >= bucketFloats)
            {
                buckets.Add(((int)bucketStart, (int)(offset - bucketStart)));
                bucketStart = offset;
            }
        }
        if (offset > bucketStart)
            buckets.Add(((int)bucketStart, (int)(offset - bucketStart)));
        _buckets = [.. buckets];
        if (!ViewsIntact)
            throw new ArgumentException("the flat layout's gradients are not views of its gradient buffer", "layout");
    }

    /// <summary>The bucket cap in bytes.</summary>
    public long BucketBytes { get; }

    /// <summary>The flat buffer itself: every trainable gradient, for a check or an update over all of them at once.</summary>
    internal Tensor Buffer => _flat;

    /// <summary>Floats in the buffer (the trainable parameter count).</summary>
    public long Length => _flat.numel();

    /// <summary>Each bucket's start and length within the buffer, in all-reduce order.</summary>
    public IReadOnlyList<(int Start, int Length)> Buckets => _buckets;

    /// <summary>Whether every parameter's gradient is still the view this class put there.</summary>
    public bool ViewsIntact
    {
        get
        {
            nint start = TensorMemory.Address(_flat), end = start + (nint)(_flat.numel() * sizeof(float));
            return _parameters.All(p => p.grad is { } g && TensorMemory.Address(g) >= start && TensorMemory.Address(g) < end);
        }
    }

    /// <summary>
    /// Sums (or averages) the gradients over the ranks, bucket by bucket. Throws if a gradient was replaced (for
    /// example by <c>Module.zero_grad()</c>), because the all-reduce would then miss it.
    /// </summary>
    public async Task AllReduceAsync(ProcessGroup group, bool average, CancellationToken ct)
    {
        if (group.WorldSize == 1)
            return;
        if (!ViewsIntact)
            throw new InvalidOperationException("a parameter's gradient is no longer a view of the flat buffer (was Module.zero_grad() called?)");
        for (int bucket = 0; bucket < _buckets.Length; bucket++)
            await AllReduceBucketAsync(group, bucket, average, ct).ConfigureAwait(false);
    }

    /// <summary>The bucket that holds <paramref name="parameter"/>'s gradient, or −1 for a parameter not in the buffer.</summary>
    public int BucketOf(Parameter parameter) => _bucketOfParameter.TryGetValue(TensorMemory.Address(parameter), out int bucket) ? bucket : -1;

    /// <summary>Sums (or averages) one bucket over the ranks; every rank must reduce the buckets in the same order.</summary>
    public Task AllReduceBucketAsync(ProcessGroup group, int bucket, bool average, CancellationToken ct)
    {
        var (start, length) = _buckets[bucket];
        return group.AllReduceGradientsAsync(FlatMemory().Slice(start, length), average, ct);
    }

    public void Dispose() => _flat.Dispose();

    private Memory<float> FlatMemory() => new TensorMemory(_flat).Memory;
}
