using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>Runs one collective on every rank of an <see cref="InProcessRing"/> at once, one thread-pool task per rank.</summary>
internal static class RingHarness
{
    public static float[][] RandomInputs(int worldSize, int length, int seed)
    {
        var inputs = new float[worldSize][];
        for (var rank = 0; rank < worldSize; rank++)
        {
            var random = new Random(seed * 31 + rank);
            inputs[rank] = new float[length];
            for (var i = 0; i < length; i++)
                inputs[rank][i] = random.NextSingle() * 2 - 1;
        }
        return inputs;
    }

    public static float[][] Copy(float[][] inputs) => inputs.Select(buffer => (float[])buffer.Clone()).ToArray();

    /// <summary>Starts every rank; <paramref name="wrap"/> may replace a rank's link, for example to inject a fault.</summary>
    public static Task[] Start(
        InProcessRing ring,
        float[][] buffers,
        Func<RingAllReduce, Memory<float>, Task> operation,
        int chunkLength = RingAllReduceOptions.DefaultChunkLength,
        Func<int, IRingLink, IRingLink>? wrap = null)
    {
        var options = new RingAllReduceOptions { ChunkLength = chunkLength };
        var tasks = new Task[ring.WorldSize];
        for (var rank = 0; rank < ring.WorldSize; rank++)
        {
            var link = wrap is null ? ring.Links[rank] : wrap(rank, ring.Links[rank]);
            var reducer = new RingAllReduce(link, rank, ring.WorldSize, options);
            var buffer = buffers[rank];
            tasks[rank] = Task.Run(() => operation(reducer, buffer));
        }
        return tasks;
    }

    /// <summary>Runs every rank to completion.</summary>
    public static async Task RunAsync(
        InProcessRing ring,
        float[][] buffers,
        Func<RingAllReduce, Memory<float>, Task> operation,
        int chunkLength = RingAllReduceOptions.DefaultChunkLength)
    {
        await Hang.Guard(Task.WhenAll(Start(ring, buffers, operation, chunkLength)), "the ring's collective");
    }

    /// <summary>Float64 element-wise sum over ranks and the sum of magnitudes that bounds float32 rounding.</summary>
    public static (double[] Sum, double[] Magnitude) Reference(float[][] inputs)
    {
        var length = inputs[0].Length;
        var sum = new double[length];
        var magnitude = new double[length];
        foreach (var buffer in inputs)
        {
            for (var i = 0; i < length; i++)
            {
                sum[i] += buffer[i];
                magnitude[i] += Math.Abs(buffer[i]);
            }
        }
        return (sum, magnitude);
    }
}
