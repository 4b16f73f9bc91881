using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Asl.Distributed.Training.Metrics;

/// <summary>
/// Checks batches of row-major N × K scores and targets. A bad value is reported with its row in the batch, its
/// sample number in the epoch and its class, because "NaN somewhere in 960 million scores" is not actionable.
/// The scans are vectorized and fall back to a scalar loop only to locate the first bad value.
/// </summary>
internal static class MultiLabelInputValidator
{
    /// <summary>The number of rows in a batch; throws unless both lengths are the same whole number of rows.</summary>
    public static int RowCount(int valuesLength, int targetsLength, int classCount, string valuesName)
    {
        if (valuesLength % classCount != 0)
        {
            throw new ArgumentException(
                $"{valuesName} holds {valuesLength} values, which is not a whole number of rows of {classCount} classes.",
                valuesName);
        }

        if (targetsLength != valuesLength)
        {
            throw new ArgumentException(
                $"targets hold {targetsLength} values but {valuesName} hold {valuesLength}; both must be rows × " +
                $"{classCount} classes ({valuesLength / classCount} rows).",
                "targets");
        }

        return valuesLength / classCount;
    }

    /// <summary>Throws on the first NaN or infinite score.</summary>
    public static void CheckFinite(ReadOnlySpan<float> values, int classCount, long firstSample, string valuesName)
    {
        int bad = IndexOfNonFinite(values);
        if (bad >= 0)
        {
            throw Bad(valuesName, bad, classCount, firstSample, values[bad], "must be finite");
        }
    }

    /// <summary>Throws on the first probability that is not finite or lies outside [0, 1].</summary>
    public static void CheckProbabilities(ReadOnlySpan<float> values, int classCount, long firstSample, string valuesName)
    {
        int bad = IndexOutsideUnitInterval(values);
        if (bad >= 0)
        {
            throw Bad(valuesName, bad, classCount, firstSample, values[bad],
                "must lie in [0, 1] (pass sigmoid outputs, not logits)");
        }
    }

    /// <summary>Throws on the first target that is neither 0 nor 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CheckBinary(ReadOnlySpan<float> targets, int classCount, long firstSample)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= targets.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(targets[i..]);
                var ok = Vector.Equals(v, Vector<float>.Zero) | Vector.Equals(v, Vector<float>.One);
                if (ok != Vector<int>.AllBitsSet)
                {
                    break;
                }
            }
        }

        for (; i < targets.Length; i++)
        {
            if (targets[i] is not (0f or 1f))
            {
                throw Bad("targets", i, classCount, firstSample, targets[i], "must be 0 or 1");
            }
        }
    }

    /// <summary>Throws on the first target that is neither 0 nor 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CheckBinary(ReadOnlySpan<byte> targets, int classCount, long firstSample)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= targets.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                if (Vector.GreaterThanAny(new Vector<byte>(targets[i..]), Vector<byte>.One))
                {
                    break;
                }
            }
        }

        for (; i < targets.Length; i++)
        {
            if (targets[i] > 1)
            {
                throw Bad("targets", i, classCount, firstSample, targets[i], "must be 0 or 1");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var max = new Vector<float>(float.MaxValue);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                // NaN fails every comparison, so one test catches NaN and both infinities.
                if (!Vector.LessThanOrEqualAll(Vector.Abs(new Vector<float>(values[i..])), max))
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int IndexOutsideUnitInterval(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                // Written as "inside" so that NaN, which fails both comparisons, counts as outside.
                var inside = Vector.GreaterThanOrEqual(v, Vector<float>.Zero) & Vector.LessThanOrEqual(v, Vector<float>.One);
                if (inside != Vector<int>.AllBitsSet)
                {
                    break;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (!(values[i] >= 0f && values[i] <= 1f))
            {
                return i;
            }
        }

        return -1;
    }

    private static ArgumentException Bad(string name, int index, int classCount, long firstSample, float value, string rule)
    {
        int row = index / classCount;
        int cls = index % classCount;
        string shown = value.ToString(CultureInfo.InvariantCulture);
        return new ArgumentException(
            $"{name} at row {row} of this batch (sample {firstSample + row} of the epoch), class {cls} is {shown}; " +
            $"{name} {rule}.",
            name);
    }
}
