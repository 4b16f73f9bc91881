using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Asl.Distributed.Training.Collectives;
using static Asl.Distributed.Benchmarks.BenchmarkOptions;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Ring all-reduce bandwidth on loopback between separate processes joined over gRPC, reported as nccl-tests does
/// (algbw = bytes / time, busbw = algbw · 2(n − 1)/n), beside one raw TCP socket's throughput measured in the same
/// run, with the CPU time each costs. Usage: allreduce [--ranks 2,3] [--sizes-mib 1,4,25,100] [--streams 4]
/// [--chunk-kib 1024] [--repetitions 5] [--format float32|bfloat16|float16] [--queue 4]
/// [--op allreduce|allgather|broadcast] [--transport socket|grpc|raw-tcp] (raw-tcp: <see cref="RawTcpRing"/>, float32 only)
/// (allgather gathers blocks of size/n per rank; busbw is computed as for all-reduce, so compare time and algbw)
/// </summary>
internal static class AllReduceBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int[] ranks = List(args, "--ranks", "2,3");
        string sizes = Option(args, "--sizes-mib", "1,4,25,100");
        string streams = Option(args, "--streams", "4");
        string chunk = Option(args, "--chunk-kib", "1024");
        string repetitions = Option(args, "--repetitions", "5");
        string format = Option(args, "--format", "float32");
        string queue = Option(args, "--queue", "4");
        string op = Option(args, "--op", "allreduce");
        string transport = Option(args, "--transport", "socket");

        var socket = await RawSocketAsync(128 << 20, runs: 5);
        Console.WriteLine($"{op}; {Environment.ProcessorCount} cores; one raw TCP socket on loopback: {socket.GigabytesPerSecond:F2} GB/s " +
            $"(median of 5 runs of 128 MiB; sender and receiver together {socket.CpuMsPerMib:F2} CPU-ms per MiB); one process per rank; " +
            $"{transport} transport, {streams} stream(s) per link, chunk {chunk} KiB, {format} on the wire; median of {repetitions}");
        Console.WriteLine();
        Console.WriteLine("| ranks | size (MiB) | time (ms) | algbw (GB/s) | busbw (GB/s) | busbw / raw socket | rank 0 CPU-ms per MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int world in ranks)
        {
            var outputs = RankProcesses.Run("allreduce-rank", world,
                ["--sizes-mib", sizes, "--streams", streams, "--chunk-kib", chunk, "--repetitions", repetitions, "--format", format, "--queue", queue, "--op", op, "--transport", transport],
                TimeSpan.FromMinutes(10));
            foreach (string line in outputs[0].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var fields = line.Split(' ');
                if (fields[0] != "result")
                    continue;
                int mib = int.Parse(fields[1], CultureInfo.InvariantCulture);
                double seconds = double.Parse(fields[2], CultureInfo.InvariantCulture);
                double algbw = (mib << 20) / seconds / 1e9;
                double busbw = algbw * 2 * (world - 1) / world;
                double cpuPerMib = double.Parse(fields[3], CultureInfo.InvariantCulture);
                Console.WriteLine($"| {world} | {mib} | {seconds * 1000:F1} | {algbw:F2} | {busbw:F2} | {busbw / socket.GigabytesPerSecond:P0} | {cpuPerMib:F2} |");
            }
        }
        return 0;
    }

    /// <summary>One rank: joins the ring, then for each size times <c>--repetitions</c> all-reduces after a warm-up; rank 0 prints "result MiB seconds".</summary>
    public static async Task<int> RunRankAsync(string[] args)
    {
        int rank = int.Parse(Option(args, "--rank", "0"), CultureInfo.InvariantCulture);
        var peers = Option(args, "--peers", "").Split(',');
        int[] sizes = List(args, "--sizes-mib", "1");
        int repetitions = List(args, "--repetitions", "5")[0];
        string op = Option(args, "--op", "allreduce");
        string transport = Option(args, "--transport", "socket");
        var options = new CollectiveOptions
        {
            Streams = List(args, "--streams", "4")[0],
            ChunkLength = List(args, "--chunk-kib", "1024")[0] * 1024 / sizeof(float),
            Format = Enum.Parse<WireFormat>(Option(args, "--format", "float32"), ignoreCase: true),
            QueueCapacity = List(args, "--queue", "4")[0],
            Transport = transport == RawTransport ? RingTransport.Socket : Enum.Parse<RingTransport>(transport, ignoreCase: true),
        };
        await using var group = transport == RawTransport
            ? await RawGroupAsync(rank, peers, options)
            : await PeerGroup.JoinAsync(rank, peers, Environment.GetEnvironmentVariable(RankProcesses.SecretVariable)!, options);
        // Warm-up until the JIT has tiered up the hot paths (gRPC, Kestrel, the ring): a worker's steady state.
        var warm = new float[(4 << 20) / sizeof(float)];
        for (int i = 0; i < 40; i++)
            await group.AllReduceGradientsAsync(warm, average: true);
        foreach (int mib in sizes)
        {
            var buffer = new float[(mib << 20) / sizeof(float)];
            var random = new Random(rank);
            for (int i = 0; i < buffer.Length; i++)
                buffer[i] = random.NextSingle() - 0.5f;
            var times = new List<double>();
            var cpu = TimeSpan.Zero;
            for (int i = 0; i <= repetitions; i++)
            {
                await group.BarrierAsync();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                switch (op)
                {
                    case "allgather":
                        await group.AllGatherAsync(buffer.AsMemory(0, buffer.Length / group.WorldSize));
                        break;
                    case "broadcast":
                        await group.BroadcastAsync(buffer);
                        break;
                    default:
                        await group.AllReduceGradientsAsync(buffer, average: true);
                        break;
                }
                if (i > 0)
                {
                    times.Add(clock.Elapsed.TotalSeconds); // the first one warms up pools and connections
                    cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                }
            }
            times.Sort();
            if (rank == 0)
                Console.WriteLine(FormattableString.Invariant($"result {mib} {times[times.Count / 2]} {cpu.TotalMilliseconds / (repetitions * mib)}"));
        }
        await group.BarrierAsync();
        return 0;
    }

    /// <summary>The <c>--transport</c> value that runs the ring over <see cref="RawTcpRing"/>, the ceiling for TCP.</summary>
    private const string RawTransport = "raw-tcp";

    private static async Task<ProcessGroup> RawGroupAsync(int rank, string[] peers, CollectiveOptions options)
    {
        var ring = await RawTcpRing.JoinAsync(rank, peers);
        return new ProcessGroup(ring, rank, peers.Length, options.ChunkLength, options.Format, ring.DisposeAsync);
    }

    /// <summary>
    /// One raw TCP socket on loopback moving <paramref name="bytes"/> in 1 MiB writes, <paramref name="runs"/> times after
    /// a warm-up: the median rate, and the CPU time of sender and receiver together per MiB moved.
    /// </summary>
    private static async Task<(double GigabytesPerSecond, double CpuMsPerMib)> RawSocketAsync(int bytes, int runs)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptTcpClientAsync();
        using var sender = new TcpClient { NoDelay = true };
        await sender.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var receiver = await accept;
        var block = new byte[1 << 20];
        var buffer = new byte[1 << 20];
        var rates = new List<double>();
        var cpu = TimeSpan.Zero;
        for (int run = 0; run <= runs; run++)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var reading = Task.Run(async () =>
            {
                var stream = receiver.GetStream();
                long total = 0;
                while (total < bytes)
                    total += await stream.ReadAsync(buffer);
            });
            var output = sender.GetStream();
            for (int sent = 0; sent < bytes; sent += block.Length)
                await output.WriteAsync(block);
            await reading;
            if (run == 0)
                continue; // warm-up
            rates.Add(bytes / clock.Elapsed.TotalSeconds / 1e9);
            cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        }
        rates.Sort();
        return (rates[rates.Count / 2], cpu.TotalMilliseconds / (runs * (bytes >> 20)));
    }

    private static int[] List(string[] args, string name, string fallback) =>
        Option(args, name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
