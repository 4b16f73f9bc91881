using System.Net;
using Asl.Distributed.Training.Collectives;
using Grpc.Core;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>The ring all-reduce over real gRPC servers on loopback, one per rank.</summary>
public sealed class GrpcRingTests
{
    private const string Secret = "job-7f3a";

    [Theory]
    [InlineData(2, 1_000_003)]
    [InlineData(3, 10_007)]
    [InlineData(3, 2)]
    public async Task SumAsync_OverGrpc_EqualsFloat64SumAndTheInProcessRingBitwise(int world, int length)
    {
        var inputs = Inputs(world, length, seed: world * 31 + length);
        var overGrpc = await RunOverGrpc(inputs, Secret, Secret, chunk: 4096);

        var inProcess = inputs.Select(a => a.ToArray()).ToArray();
        var ring = new InProcessRing(world);
        await Task.WhenAll(Enumerable.Range(0, world).Select(r =>
            new RingAllReduce(ring.Links[r], r, world, new RingAllReduceOptions { ChunkLength = 4096 }).SumAsync(inProcess[r])));

        for (int i = 0; i < length; i++)
        {
            double exact = inputs.Sum(a => (double)a[i]);
            double magnitude = inputs.Sum(a => Math.Abs((double)a[i]));
            Assert.True(Math.Abs(overGrpc[0][i] - exact) <= 1e-5 * magnitude + 1e-30, $"element {i}: {overGrpc[0][i]} vs {exact}");
        }
        for (int r = 0; r < world; r++)
            Assert.Equal(inProcess[r], overGrpc[r]);
    }

    [Fact]
    public async Task SumAsync_WrongSecret_FailsUnauthenticatedInsteadOfHanging()
    {
        var inputs = Inputs(2, 100, seed: 1);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunOverGrpc(inputs, Secret, "guess", chunk: 64));
        var rpc = error as RpcException ?? error.InnerException as RpcException;
        Assert.NotNull(rpc);
        Assert.Equal(StatusCode.Unauthenticated, rpc.StatusCode);
    }

    private static async Task<float[][]> RunOverGrpc(float[][] inputs, string serverSecret, string clientSecret, int chunk)
    {
        int world = inputs.Length;
        var buffers = inputs.Select(a => a.ToArray()).ToArray();
        var inboxes = Enumerable.Range(0, world).Select(r => new RingInbox(r, (r + world - 1) % world, serverSecret, chunk)).ToArray();
        var servers = await Task.WhenAll(inboxes.Select(i => CollectiveServer.StartAsync(i, new IPEndPoint(IPAddress.Loopback, 0))));
        var links = Enumerable.Range(0, world).Select(r => new GrpcRingLink(inboxes[r], servers[(r + 1) % world].Address, clientSecret)).ToArray();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Task.WhenAll(Enumerable.Range(0, world).Select(r =>
                new RingAllReduce(links[r], r, world, new RingAllReduceOptions { ChunkLength = chunk }).SumAsync(buffers[r], timeout.Token)));
            return buffers;
        }
        finally
        {
            foreach (var link in links) await link.DisposeAsync();
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    private static float[][] Inputs(int world, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, world).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
    }
}
