using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// The multi-label asymmetric loss and its gradient with respect to the logits, computed together in one pass
/// over contiguous memory with 256-bit vectors. The formulas are those of <see cref="AsymmetricLossComposite"/>
/// differentiated by hand, masks included (the eps clamps, the clip's clamp at 1, the guard of the focusing
/// weight's base), so both agree to rounding.
/// </summary>
internal static unsafe class AsymmetricLossKernel
{
    /// <summary>Elements per parallel work item: large enough that scheduling costs nothing.</summary>
    private const int ChunkLength = 1 << 16;

    /// <summary>
    /// Writes the per-label loss (when <paramref name="loss"/> is not null) and the gradient of the reduced loss
    /// scaled by <paramref name="gradScale"/> (when <paramref name="grad"/> is not null); returns the sum of the
    /// per-label losses, accumulated in float64 in a fixed order so the result does not depend on thread timing.
    /// </summary>
    public static double Run<T, TMath>(T* z, T* y, T* loss, T* grad, long count, AsymmetricLossSettings s, double gradScale, int maxThreads)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        var constants = new Constants<T>(s, gradScale, grad != null);
        long chunks = (count + ChunkLength - 1) / ChunkLength;
        if (chunks <= 1 || maxThreads <= 1)
            return RunRange<T, TMath>(z, y, loss, grad, 0, count, constants);

        var partials = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, chunk =>
        {
            long start = chunk * ChunkLength;
            long end = Math.Min(start + ChunkLength, count);
            partials[chunk] = RunRange<T, TMath>(z, y, loss, grad, start, end, constants);
        });
        double total = 0;
        foreach (double partial in partials)
            total += partial;
        return total;
    }

    private static double RunRange<T, TMath>(T* z, T* y, T* loss, T* grad, long start, long end, in Constants<T> c)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        int width = Vector256<T>.Count;
        double sum = 0;
        long i = start;
        for (; i + width <= end; i += width)
        {
            Evaluate<T, TMath>(Vector256.Load(z + i), Vector256.Load(y + i), c, out var l, out var g);
            sum += double.CreateTruncating(Vector256.Sum(l));
            if (loss != null) l.Store(loss + i);
            if (grad != null) g.Store(grad + i);
        }
        if (i < end)
        {
            // The tail goes through the same vector code on padded copies, so there is one formula, not two.
            int tail = (int)(end - i);
            T* zt = stackalloc T[width];
            T* yt = stackalloc T[width];
            T* lt = stackalloc T[width];
            T* gt = stackalloc T[width];
            for (int k = 0; k < width; k++)
            {
                zt[k] = k < tail ? z[i + k] : T.Zero;
                yt[k] = k < tail ? y[i + k] : T.Zero;
            }
            Evaluate<T, TMath>(Vector256.Load(zt), Vector256.Load(yt), c, out var l, out var g);
            l.Store(lt);
            g.Store(gt);
            for (int k = 0; k < tail; k++)
            {
                sum += double.CreateTruncating(lt[k]);
                if (loss != null) loss[i + k] = lt[k];
                if (grad != null) grad[i + k] = gt[k];
            }
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Evaluate<T, TMath>(Vector256<T> z, Vector256<T> y, in Constants<T> c, out Vector256<T> loss, out Vector256<T> grad)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TMath : struct, IVectorMath<T>
    {
        var one = c.One;
        var p = one / (one + TMath.Exp(-z));
        var qRaw = one - p;
        var qNeg = qRaw;
        var clipPass = Vector256<T>.AllBitsSet;
        if (c.HasClip)
        {
            // min(1 − p + m, 1) is 1 − max(p − m, 0); the clamp at 1 stops the gradient of negatives with p < m.
            var shifted = qRaw + c.Clip;
            clipPass = Vector256.LessThanOrEqual(shifted, one);
            qNeg = Vector256.Min(shifted, one);
        }
        var yNeg = one - y;
        var logPos = TMath.Log(Vector256.Max(p, c.Eps));
        var logNeg = TMath.Log(Vector256.Max(qNeg, c.Eps));
        var a = y * logPos + yNeg * logNeg;

        var dA = Vector256<T>.Zero;
        var slope = Vector256<T>.Zero;
        if (c.NeedGrad)
        {
            // d log(max(p, eps))/dz = (1 − p) where p ≥ eps; d log(max(q, eps))/dz = −p(1 − p)/q where q ≥ eps and
            // the clip did not saturate. Masks are ANDed so a 0/0 in a dead lane becomes +0.
            slope = p * qRaw;
            var posPass = Vector256.GreaterThanOrEqual(p, c.Eps);
            var negPass = Vector256.GreaterThanOrEqual(qNeg, c.Eps) & clipPass;
            dA = y * (qRaw & posPass) - yNeg * ((slope / qNeg) & negPass);
        }

        if (!c.HasWeight)
        {
            loss = -a;
            grad = -dA * c.GradScale;
            return;
        }

        var pt = y * p + yNeg * qNeg;
        var exponent = c.GammaPos * y + c.GammaNeg * yNeg;
        var focalBase = one - pt;
        var basePass = Vector256.GreaterThanOrEqual(focalBase, c.BaseFloor);
        focalBase = Vector256.Max(focalBase, c.BaseFloor);
        var logBase = TMath.Log(focalBase);
        // pow(b, e) = exp(e·log b), with pow(b, 0) = 1 even for b = 0 (where e·log b would be 0·−∞).
        var weight = Vector256.ConditionalSelect(Vector256.Equals(exponent, Vector256<T>.Zero), one, TMath.Exp(exponent * logBase));
        loss = -(weight * a);
        if (!c.NeedGrad)
        {
            grad = Vector256<T>.Zero;
            return;
        }
        var g = weight * dA;
        if (!c.Detach)
        {
            // dw/dz = e·b^(e−1)·db/dz with db/dz = −p(1−p) for positives and +p(1−p) for unsaturated negatives;
            // autograd's pow gives 0 for e = 0 and the clamp of the base gives 0 below its floor.
            var exponentLessOne = exponent - one;
            var powLessOne = Vector256.ConditionalSelect(
                Vector256.Equals(exponentLessOne, Vector256<T>.Zero), one, TMath.Exp(exponentLessOne * logBase));
            var weightSlope = exponent * powLessOne & basePass;
            var baseSlope = yNeg * (slope & clipPass) - y * slope;
            g += a * weightSlope * baseSlope;
        }
        grad = -g * c.GradScale;
    }

    /// <summary>Settings broadcast to vectors once per call.</summary>
    private readonly struct Constants<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public Constants(AsymmetricLossSettings s, double gradScale, bool needGrad)
        {
            One = Vector256.Create(T.One);
            Eps = Vector256.Create(T.CreateTruncating(s.Eps));
            Clip = Vector256.Create(T.CreateTruncating(s.Clip));
            GammaPos = Vector256.Create(T.CreateTruncating(s.GammaPos));
            GammaNeg = Vector256.Create(T.CreateTruncating(s.GammaNeg));
            BaseFloor = s.GuardsFocalWeightBase ? Eps : Vector256<T>.Zero;
            GradScale = Vector256.Create(T.CreateTruncating(gradScale));
            HasClip = s.Clip > 0;
            HasWeight = s.HasFocalWeight;
            Detach = s.DetachFocalWeight;
            NeedGrad = needGrad;
        }

        public Vector256<T> One { get; }
        public Vector256<T> Eps { get; }
        public Vector256<T> Clip { get; }
        public Vector256<T> GammaPos { get; }
        public Vector256<T> GammaNeg { get; }
        public Vector256<T> BaseFloor { get; }
        public Vector256<T> GradScale { get; }
        public bool HasClip { get; }
        public bool HasWeight { get; }
        public bool Detach { get; }
        public bool NeedGrad { get; }
    }
}
