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
/// costs nothing; the all-reduce runs on the buffer's memory in place. A buffer on a GPU goes through a pinned host
/// copy (<see cref="GradientStaging"/>), bucket by bucket: the device-to-host copy of the next bucket runs while the
/// current one is on the wire, and each result is copied back without blocking.
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
    private readonly Dictionary<nint, int> _bucketOfParameter = [];  // keyed by the parameter's handle
    private readonly GradientStaging? _staging;
    private readonly bool[] _stagedOut;

    /// <summary>
    /// Points every trainable parameter's gradient at the flat buffer (zeroed), on the parameters' device. With
    /// <paramref name="stageThroughHost"/> a CPU buffer goes through a host copy as a GPU buffer always does (to test
    /// that path without a GPU).
    /// </summary>
    public GradientBuckets(IEnumerable<Parameter> parameters, long bucketBytes = DefaultBucketBytes, bool stageThroughHost = false)
        : this(parameters.Where(p => p.requires_grad).Reverse().ToArray(), null, bucketBytes, stageThroughHost)
    {
    }

    /// <summary>
    /// Adopts the gradient buffer of a flat optimizer layout (which already points every gradient at it) and cuts the
    /// buckets over that layout: each optimizer group in backward order, one group after another (see
    /// <see cref="FlatParameters"/>). The layout must hold every trainable parameter of the model; it keeps ownership of
    /// the buffer.
    /// </summary>
    public GradientBuckets(FlatParameters layout, long bucketBytes = DefaultBucketBytes, bool stageThroughHost = false)
        : this([.. layout.Parameters], layout.Grad, bucketBytes, stageThroughHost)
    {
    }

    private GradientBuckets(Parameter[] parameters, Tensor? adopted, long bucketBytes, bool stageThroughHost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, sizeof(float));
        BucketBytes = bucketBytes;
        _parameters = parameters;
        var device = _parameters.Length > 0 ? _parameters[0].device : torch.CPU;
        foreach (var p in _parameters)
        {
            if (p.dtype != ScalarType.Float32)
                throw new NotSupportedException($"data-parallel gradients need float32 parameters; got {p.dtype}");
            if (p.device_type != device.type || p.device_index != device.index)
                throw new NotSupportedException($"data-parallel gradients need every parameter on one device; got {device} and {p.device}");
        }
        long total = _parameters.Sum(p => p.numel());
        if (total > Array.MaxLength)
            throw new NotSupportedException($"{total} parameters do not fit one gradient buffer (at most {Array.MaxLength})");
        _flat = adopted?.alias().DetachFromDisposeScope() ?? torch.zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
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
            _bucketOfParameter[p.Handle] = buckets.Count;
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
        _stagedOut = new bool[_buckets.Length];
        if (stageThroughHost || device.type != DeviceType.CPU)
            _staging = new GradientStaging(_flat);
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

    /// <summary>Whether the all-reduce goes through a host copy of the buffer (always for a buffer on a GPU).</summary>
    public bool Staged => _staging is not null;

    /// <summary>Whether that host copy is pinned (page-locked) memory, as a GPU buffer's is.</summary>
    public bool HostCopyPinned => _staging?.Pinned ?? false;

    /// <summary>
    /// Whether every parameter's gradient is still the view this class put there. On devices other than the CPU only
    /// the gradients' presence is checked (their addresses cannot be read from .NET).
    /// </summary>
    public bool ViewsIntact
    {
        get
        {
            if (_flat.device_type != DeviceType.CPU)
                return _parameters.All(p => p.grad is not null);
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
        if (_buckets.Length > 0)
            StageOut(0);
        for (int bucket = 0; bucket < _buckets.Length; bucket++)
            await ReduceBucketAsync(group, bucket, average, bucket + 1 < _buckets.Length ? bucket + 1 : -1, ct).ConfigureAwait(false);
    }

    /// <summary>The bucket that holds <paramref name="parameter"/>'s gradient, or −1 for a parameter not in the buffer.</summary>
    public int BucketOf(Parameter parameter) => _bucketOfParameter.TryGetValue(parameter.Handle, out int bucket) ? bucket : -1;

    /// <summary>
    /// Starts copying bucket <paramref name="bucket"/>'s gradients to the host copy, without blocking, once they are
    /// final (for a staged buffer; otherwise nothing to do). <see cref="AllReduceBucketAsync"/> does it itself when it
    /// was not done before.
    /// </summary>
    public void StageOut(int bucket)
    {
        if (_staging is null)
            return;
        var (start, length) = _buckets[bucket];
        _staging.CopyOut(start, length);
        Volatile.Write(ref _stagedOut[bucket], true);
    }

    /// <summary>Sums (or averages) one bucket over the ranks; every rank must reduce the buckets in the same order.</summary>
    public Task AllReduceBucketAsync(ProcessGroup group, int bucket, bool average, CancellationToken ct) =>
        ReduceBucketAsync(group, bucket, average, stageNext: -1, ct);

    public void Dispose()
    {
        _staging?.Dispose();
        _flat.Dispose();
    }

    /// <summary>
    /// One bucket's all-reduce; for a staged buffer: wait for its copy to the host, start the copy of bucket
    /// <paramref name="stageNext"/> (unless −1) so that it runs while this one is on the wire, reduce the host copy, and
    /// start the copy back.
    /// </summary>
    private async Task ReduceBucketAsync(ProcessGroup group, int bucket, bool average, int stageNext, CancellationToken ct)
    {
        var (start, length) = _buckets[bucket];
        if (_staging is null)
        {
            await group.AllReduceGradientsAsync(new TensorMemory(_flat).Memory.Slice(start, length), average, ct).ConfigureAwait(false);
            return;
        }
        if (!Volatile.Read(ref _stagedOut[bucket]))
            StageOut(bucket);
        _staging.WaitForCopies();
        _stagedOut[bucket] = false;
        if (stageNext >= 0)
            StageOut(stageNext);
        await group.AllReduceGradientsAsync(_staging.Host.Slice(start, length), average, ct).ConfigureAwait(false);
        _staging.CopyBack(start, length);
    }
}
