using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Ring all-reduce bandwidth over gRPC on loopback, reported as nccl-tests does (algbw = bytes / time,
/// busbw = algbw · 2(n − 1)/n), beside one raw TCP socket's throughput measured in the same run. Ranks run in
/// this one process, each with its own Kestrel server (the multi-process launcher comes with data-parallel
/// training). Usage: allreduce [--ranks 2,3] [--sizes-mib 1,4,25,100] [--chunk-kib 1024] [--repetitions 5]
/// </summary>
internal static class AllReduceBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int[] ranks = List(args, "--ranks", [2, 3]);
        int[] sizes = List(args, "--sizes-mib", [1, 4, 25, 100]);
        int chunkFloats = List(args, "--chunk-kib", [1024])[0] * 1024 / sizeof(float);
        int repetitions = List(args, "--repetitions", [5])[0];

        double socket = await RawSocketGigabytesPerSecond(256 << 20);
        Console.WriteLine($"{Environment.ProcessorCount} cores; one raw TCP socket on loopback: {socket:F2} GB/s; chunk {chunkFloats * 4 / 1024} KiB; median of {repetitions}");
        Console.WriteLine();
        Console.WriteLine("| ranks | size (MiB) | time (ms) | algbw (GB/s) | busbw (GB/s) | busbw / raw socket |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int world in ranks)
        {
            foreach (int mib in sizes)
            {
                double seconds = await MedianSeconds(world, mib << 20 >> 2, chunkFloats, repetitions);
                double algbw = (mib << 20) / seconds / 1e9;
                double busbw = algbw * 2 * (world - 1) / world;
                Console.WriteLine($"| {world} | {mib} | {seconds * 1000:F1} | {algbw:F2} | {busbw:F2} | {busbw / socket:P0} |");
            }
        }
        return 0;
    }

    private static async Task<double> MedianSeconds(int world, int floats, int chunkFloats, int repetitions)
    {
        var inboxes = Enumerable.Range(0, world).Select(r => new RingInbox(r, (r + world - 1) % world, "bench", chunkFloats)).ToArray();
        var servers = await Task.WhenAll(inboxes.Select(i => CollectiveServer.StartAsync(i, new IPEndPoint(IPAddress.Loopback, 0))));
        var links = Enumerable.Range(0, world).Select(r => new GrpcRingLink(inboxes[r], servers[(r + 1) % world].Address, "bench")).ToArray();
        var reducers = Enumerable.Range(0, world).Select(r => new RingAllReduce(links[r], r, world, new RingAllReduceOptions { ChunkLength = chunkFloats })).ToArray();
        var buffers = Enumerable.Range(0, world).Select(_ => new float[floats]).ToArray();
        var times = new List<double>();
        try
        {
            for (int i = 0; i <= repetitions; i++)
            {
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, world).Select(r => reducers[r].SumAsync(buffers[r])));
                if (i > 0) times.Add(clock.Elapsed.TotalSeconds); // the first call opens the streams
            }
        }
        finally
        {
            foreach (var link in links) await link.DisposeAsync();
            foreach (var server in servers) await server.DisposeAsync();
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<double> RawSocketGigabytesPerSecond(int bytes)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptTcpClientAsync();
        using var sender = new TcpClient();
        await sender.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var receiver = await accept;
        var block = new byte[1 << 20];
        var clock = Stopwatch.StartNew();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            var stream = receiver.GetStream();
            long total = 0;
            while (total < bytes)
                total += await stream.ReadAsync(buffer);
        });
        var output = sender.GetStream();
        for (int sent = 0; sent < bytes; sent += block.Length)
            await output.WriteAsync(block);
        await reading;
        return bytes / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static int[] List(string[] args, string name, int[] fallback)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1].Split(',').Select(int.Parse).ToArray() : fallback;
    }
}
