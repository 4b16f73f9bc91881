using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss and its gradient with respect to the logits, computed together in one pass
/// over contiguous memory with 256-bit vectors (<see cref="AsymmetricLossLanes"/> holds the per-lane formulas),
/// split into chunks that run in parallel.
/// </summary>
internal static unsafe class AsymmetricLossKernel
{
    /// <summary>
    /// Elements per parallel work item: large enough that scheduling costs little, small enough that COCO-sized
    /// batches spread over the cores. Fixed, so the summation order never depends on the thread count.
    /// </summary>
    private const int ChunkLength = 1 << 14;

    /// <summary>
    /// Writes the per-label loss (when <paramref name="loss"/> is not null) and the gradient of the reduced loss
    /// scaled by <paramref name="gradScale"/> (when <paramref name="grad"/> is not null); returns the sum of the
    /// per-label losses, accumulated in float64 in a fixed order so the result does not depend on thread timing.
    /// </summary>
    public static double Run<T, TMath>(T* z, T* y, T* loss, T* grad, long count, AsymmetricLossSettings s, double gradScale, int maxThreads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        var constants = new AsymmetricLossLanes.Constants<T>(s, gradScale);
        // The clip and the gradient choose the route as type arguments: each route is compiled on its own, without
        // their branches in the loop.
        return (s.Clip > 0, grad != null) switch
        {
            (true, true) => Run<T, TMath, AsymmetricLossLanes.Set, AsymmetricLossLanes.Set>(z, y, loss, grad, count, constants, maxThreads),
            (true, false) => Run<T, TMath, AsymmetricLossLanes.Set, AsymmetricLossLanes.Unset>(z, y, loss, grad, count, constants, maxThreads),
            (false, true) => Run<T, TMath, AsymmetricLossLanes.Unset, AsymmetricLossLanes.Set>(z, y, loss, grad, count, constants, maxThreads),
            (false, false) => Run<T, TMath, AsymmetricLossLanes.Unset, AsymmetricLossLanes.Unset>(z, y, loss, grad, count, constants, maxThreads),
        };
    }

    private static double Run<T, TMath, TClip, TGrad>(
        T* z, T* y, T* loss, T* grad, long count, AsymmetricLossLanes.Constants<T> constants, int maxThreads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
        where TClip : struct, AsymmetricLossLanes.IFlag
        where TGrad : struct, AsymmetricLossLanes.IFlag
    {
        long chunks = (count + ChunkLength - 1) / ChunkLength;
        if (chunks <= 1 || maxThreads <= 1)
            return RunRange<T, TMath, TClip, TGrad>(z, y, loss, grad, 0, count, constants);

        var partials = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, chunk =>
        {
            long start = chunk * ChunkLength;
            long end = Math.Min(start + ChunkLength, count);
            partials[chunk] = RunRange<T, TMath, TClip, TGrad>(z, y, loss, grad, start, end, constants);
        });
        double total = 0;
        foreach (double partial in partials)
            total += partial;
        return total;
    }

    // Compiled on its own and fully optimised from the first call. Inlined, it would be recompiled at tier 1 inside Run
    // (its caller for one chunk or one thread), whose inlining budget runs out before the lane formulas: the loop then
    // called Weigh once per vector and took 1.2 to 1.5 times as long.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double RunRange<T, TMath, TClip, TGrad>(T* z, T* y, T* loss, T* grad, long start, long end, in AsymmetricLossLanes.Constants<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
        where TClip : struct, AsymmetricLossLanes.IFlag
        where TGrad : struct, AsymmetricLossLanes.IFlag
    {
        int width = Vector256<T>.Count;
        var sum = Vector256<double>.Zero;
        long i = start;
        for (; i + width <= end; i += width)
        {
            AsymmetricLossLanes.Evaluate<T, TMath, TClip, TGrad>(Vector256.Load(z + i), Vector256.Load(y + i), c, out var l, out var g);
            sum = TMath.Accumulate(sum, l);
            if (loss != null) l.Store(loss + i);
            if (grad != null) g.Store(grad + i);
        }
        double total = Vector256.Sum(sum);
        if (i < end)
            total += RunTail<T, TMath, TClip, TGrad>(z + i, y + i, loss == null ? null : loss + i, grad == null ? null : grad + i, (int)(end - i), c);
        return total;
    }

    /// <summary>
    /// The last, partial vector through the same vector code on padded copies, so there is one formula, not two.
    /// Kept out of line: inlined beside the main loop's copy, the lane formulas exceed what the JIT inlines into one
    /// method, and the main loop would call them instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double RunTail<T, TMath, TClip, TGrad>(T* z, T* y, T* loss, T* grad, int tail, in AsymmetricLossLanes.Constants<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
        where TClip : struct, AsymmetricLossLanes.IFlag
        where TGrad : struct, AsymmetricLossLanes.IFlag
    {
        int width = Vector256<T>.Count;
        T* zt = stackalloc T[width];
        T* yt = stackalloc T[width];
        T* lt = stackalloc T[width];
        T* gt = stackalloc T[width];
        for (int k = 0; k < width; k++)
        {
            zt[k] = k < tail ? z[k] : T.Zero;
            yt[k] = k < tail ? y[k] : T.Zero;
        }
        AsymmetricLossLanes.Evaluate<T, TMath, TClip, TGrad>(Vector256.Load(zt), Vector256.Load(yt), c, out var l, out var g);
        l.Store(lt);
        g.Store(gt);
        double total = 0;
        for (int k = 0; k < tail; k++)
        {
            total += double.CreateTruncating(lt[k]);
            if (loss != null) loss[k] = lt[k];
            if (grad != null) grad[k] = gt[k];
        }
        return total;
    }
}
