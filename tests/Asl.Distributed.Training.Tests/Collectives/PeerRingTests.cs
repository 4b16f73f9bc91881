using Asl.Distributed.Training.Collectives;
using Microsoft.Extensions.Time.Testing;
using static Asl.Distributed.Training.Tests.Collectives.PeerHarness;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Collectives over real gRPC servers on loopback, one per rank, joined through <see cref="PeerGroup"/>, with chunks on
/// socket data streams (the default) or gRPC streams.
/// </summary>
public sealed class PeerRingTests
{
    [Theory]
    [InlineData(2, 1_000_003, 1, RingTransport.Socket)]
    [InlineData(2, 1_000_003, 4, RingTransport.Socket)]
    [InlineData(3, 10_007, 3, RingTransport.Socket)]
    [InlineData(3, 2, 2, RingTransport.Socket)]
    [InlineData(2, 1_000_003, 4, RingTransport.Grpc)]
    [InlineData(3, 10_007, 3, RingTransport.Grpc)]
    [InlineData(3, 2, 2, RingTransport.Grpc)]
    public async Task SumAsync_OverPeers_EqualsFloat64SumAndTheInProcessRingBitwise(int world, int length, int streams, RingTransport transport)
    {
        var inputs = RingHarness.RandomInputs(world, length, seed: world * 31 + length);
        var overGrpc = RingHarness.Copy(inputs);
        await WithGroups(world, Small with { Streams = streams, Transport = transport }, (group, r) => group.SumAsync(overGrpc[r]));

        var inProcess = RingHarness.Copy(inputs);
        await RingHarness.RunAsync(new InProcessRing(world), inProcess, (reducer, buffer) => reducer.SumAsync(buffer), chunkLength: 4096);

        var (sum, magnitude) = RingHarness.Reference(inputs);
        for (int i = 0; i < length; i++)
            Assert.True(Math.Abs(overGrpc[0][i] - sum[i]) <= 1e-5 * magnitude[i] + 1e-30, $"element {i}: {overGrpc[0][i]} vs {sum[i]}");
        for (int r = 0; r < world; r++)
            Assert.Equal(inProcess[r], overGrpc[r]);
    }

    [Theory]
    [InlineData(2, RingTransport.Socket)]
    [InlineData(3, RingTransport.Socket)]
    [InlineData(3, RingTransport.Grpc)]
    public async Task AverageAsync_OverPeers_IsTheInProcessMeanBitForBit(int world, RingTransport transport)
    {
        const int length = 300_007;
        var inputs = RingHarness.RandomInputs(world, length, seed: 12);
        var overPeers = RingHarness.Copy(inputs);
        await WithGroups(world, Small with { Transport = transport }, (group, r) => group.AverageAsync(overPeers[r]));

        var sums = RingHarness.Copy(inputs);
        await RingHarness.RunAsync(new InProcessRing(world), sums, (reducer, buffer) => reducer.SumAsync(buffer), chunkLength: 4096);
        for (int r = 0; r < world; r++)
            Assert.Equal(sums[r].Select(value => value / world), overPeers[r]);
    }

    [Theory]
    [InlineData(WireFormat.BFloat16, 1.0 / 128, RingTransport.Socket)]
    [InlineData(WireFormat.Float16, 1.0 / 1024, RingTransport.Socket)]
    [InlineData(WireFormat.BFloat16, 1.0 / 128, RingTransport.Grpc)]
    public async Task AllReduceGradientsAsync_Compressed_RanksAgreeBitwiseAndStayWithinTheFormatsRounding(WireFormat format, double relative, RingTransport transport)
    {
        const int world = 3, length = 50_001;
        var inputs = RingHarness.RandomInputs(world, length, seed: 5);
        var buffers = RingHarness.Copy(inputs);
        await WithGroups(world, Small with { Format = format, Transport = transport }, (group, r) => group.AllReduceGradientsAsync(buffers[r], average: true));

        var (sum, magnitude) = RingHarness.Reference(inputs);
        for (int r = 1; r < world; r++)
            Assert.Equal(buffers[0], buffers[r]);
        for (int i = 0; i < length; i++)
        {
            // Each of the n − 1 hops of the reduce rounds a partial sum once, and the owner rounds the total once.
            double bound = relative * world * magnitude[i] / world + 1e-30;
            Assert.True(Math.Abs(buffers[0][i] - sum[i] / world) <= bound, $"element {i}: {buffers[0][i]} vs {sum[i] / world}");
        }
    }

    [Fact]
    public async Task BroadcastAllGatherAndBarrier_OverGrpc_MatchTheReferenceBitForBit()
    {
        const int world = 3;
        var payload = RingHarness.RandomInputs(1, 9_001, seed: 8)[0];
        int[] blockLengths = [5_003, 0, 2];
        var blocks = Enumerable.Range(0, world).Select(r => RingHarness.RandomInputs(1, blockLengths[r], seed: 20 + r)[0]).ToArray();
        var broadcast = Enumerable.Range(0, world).Select(r => r == 0 ? (float[])payload.Clone() : new float[payload.Length]).ToArray();
        var gathered = new GatheredBlocks[world];
        var doubles = new double[world][];

        await WithGroups(world, Small, async (group, r) =>
        {
            await group.BroadcastAsync(broadcast[r]);
            gathered[r] = await group.AllGatherAsync(blocks[r]);
            await group.BarrierAsync();
            doubles[r] = await group.SumDoublesAsync([r + 0.1, 1e-300 * r]);
        });

        var concatenated = blocks.SelectMany(b => b).ToArray();
        for (int r = 0; r < world; r++)
        {
            Assert.Equal(payload, broadcast[r]);
            Assert.Equal(concatenated, gathered[r].Values);
            Assert.Equal(blockLengths, gathered[r].Lengths);
            Assert.Equal(((0.1 + 1.1) + 2.1), doubles[r][0]);
            Assert.Equal(3e-300, doubles[r][1], 1e-310);
        }
    }

    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task JoinAsync_WrongSecret_FailsNamingTheRefusingRankInsteadOfHanging(RingTransport transport)
    {
        var peers = LoopbackPorts.Peers(2);
        var options = Small with { RendezvousTimeout = TimeSpan.FromSeconds(5), Transport = transport };
        var ranks = new[]
        {
            Task.Run(() => PeerGroup.JoinAsync(0, peers, Secret, options)),
            Task.Run(() => PeerGroup.JoinAsync(1, peers, "guess", options)),
        };
        var errors = await Task.WhenAll(ranks.Select(async t => await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(t, "a rank's failure"))));

        // Each rank's server refuses the other's secret; whichever connects first is refused and leaves, so the
        // other may instead find it gone. Either way both stop, each naming the other, and a refusal is reported.
        Assert.Equal((1, 0), (errors[0].LostRank, errors[1].LostRank));
        Assert.Contains(errors, e => e.Message.Contains("refused the connection (Unauthenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JoinAsync_RankNeverStartsOnTheRealClock_EveryOtherRankFailsNoEarlierThanTheRendezvousTimeoutNamingIt()
    {
        var peers = LoopbackPorts.Peers(4);
        var options = Small with { RendezvousTimeout = TimeSpan.FromSeconds(2) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ranks = new[] { 0, 1, 3 }.Select(r => Task.Run(() => PeerGroup.JoinAsync(r, peers, Secret, options))).ToArray();

        var errors = await Task.WhenAll(ranks.Select(async t => await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(t, "a rank's failure"))));

        // Only a lower bound: load can make the failure late, never early (RendezvousTests pin the moment on a fake clock).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"failed after {clock.Elapsed}, before the 2 s rendezvous timeout");
        foreach (var error in errors)
        {
            Assert.Equal(2, error.LostRank);
            Assert.Contains("lost rank 2", error.Message);
        }
    }

    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task Collective_RankLeavesMidJob_TheOthersFailNamingItWithoutWaitingForATimeout(RingTransport transport)
    {
        const int world = 3;
        // A fake clock that never moves: no peer timeout can fire, so the survivors can only learn from the broken
        // connections and the aborts passed on.
        var options = Small with { Transport = transport, TimeProvider = new FakeTimeProvider() };
        var groups = await JoinAsync(world, options);

        // Rank 1 goes away (its server and streams close) while ranks 0 and 2 start an all-reduce.
        await groups[1].DisposeAsync();
        var survivors = new[] { 0, 2 }.Select(r => Task.Run(() => groups[r].SumAsync(new float[100_000]))).ToArray();
        var errors = await Task.WhenAll(survivors.Select(async t => await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(t, "a survivor's failure"))));

        foreach (var error in errors)
            Assert.Equal(1, error.LostRank);
        foreach (var r in new[] { 0, 2 })
            await groups[r].DisposeAsync();
    }

    [Theory]
    [InlineData("[::1]", RingTransport.Socket)]
    [InlineData("[::1]", RingTransport.Grpc)]
    [InlineData("localhost", RingTransport.Socket)]
    public async Task SumAsync_PeersGivenAsIPv6AddressesOrHostNames_JoinAndSum(string host, RingTransport transport)
    {
        if (host.StartsWith('[') && !Ipv6LoopbackWorks())
            return; // a host without IPv6 loopback (these machines have it) cannot run this test
        var peers = LoopbackPorts.Free(2).Select(p => $"{host}:{p}").ToArray();
        var groups = await Hang.Guard(Task.WhenAll(Enumerable.Range(0, 2).Select(r =>
            Task.Run(() => PeerGroup.JoinAsync(r, peers, Secret, Small with { Transport = transport })))), "the join");
        var buffers = new[] { new float[] { 1, 2, 3 }, new float[] { 10, 20, 30 } };
        try
        {
            await Hang.Guard(Task.WhenAll(Enumerable.Range(0, 2).Select(r => groups[r].SumAsync(buffers[r]))), "the sum");
        }
        finally
        {
            await Task.WhenAll(groups.Select(g => g.DisposeAsync().AsTask()));
        }

        Assert.Equal([11f, 22f, 33f], buffers[0]);
        Assert.Equal(buffers[0], buffers[1]);
    }

    [Theory]
    [InlineData(RingTransport.Socket)]
    [InlineData(RingTransport.Grpc)]
    public async Task SumAsync_OverTls_EqualsTheCleartextResultAndAForeignCaIsRefused(RingTransport transport)
    {
        string folder = Directory.CreateTempSubdirectory("asl-tls-").FullName;
        try
        {
            var job = TestCertificates.Write(folder, "job");
            var stranger = TestCertificates.Write(folder, "stranger");
            var inputs = RingHarness.RandomInputs(2, 100_003, seed: 4);
            var overTls = RingHarness.Copy(inputs);
            await WithGroups(2, Small with { Tls = job, Transport = transport }, (group, r) => group.SumAsync(overTls[r]));
            var clear = RingHarness.Copy(inputs);
            await WithGroups(2, Small with { Transport = transport }, (group, r) => group.SumAsync(clear[r]));
            Assert.Equal(clear[0], overTls[0]);
            Assert.Equal(clear[1], overTls[1]);

            // Rank 1 trusts another CA: it cannot connect to rank 0, whose certificate the job CA signed.
            var peers = LoopbackPorts.Peers(2);
            var options = Small with { RendezvousTimeout = TimeSpan.FromSeconds(3), Transport = transport };
            var ranks = new[]
            {
                Task.Run(() => PeerGroup.JoinAsync(0, peers, Secret, options with { Tls = job })),
                Task.Run(() => PeerGroup.JoinAsync(1, peers, Secret, options with { Tls = job with { CaPath = stranger.CaPath } })),
            };
            var errors = await Task.WhenAll(ranks.Select(async t => await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(t, "a rank's failure"))));
            Assert.Equal(0, errors[1].LostRank);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(5L, 16, "sent message 5 on stream 0; expected message 0")]
    [InlineData(0L, 4097 * 4, "sent 16388 bytes of Float32; allowed: a multiple of 4 up to 16384")]
    [InlineData(0L, 6, "sent 6 bytes of Float32; allowed: a multiple of 4")]
    public async Task Ring_MalformedOrOutOfOrderChunk_FailsTheCallAndTheInboxNamingTheProblem(long sequence, int bytes, string problem)
    {
        var options = Small with { Streams = 1, Transport = RingTransport.Grpc };
        using var inbox = new RingInbox(1, 2, Secret, options);
        await using var server = await CollectiveServer.StartAsync(inbox, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var client = new Contracts.V1.Collective.CollectiveClient(channel);
        using var call = client.Ring(new Grpc.Core.Metadata { { CollectiveService.SecretHeader, Secret } });

        await call.RequestStream.WriteAsync(new Contracts.V1.RingMessage { Kind = Contracts.V1.RingMessageKind.Hello, SenderRank = 0, WorldSize = 2 });
        await call.RequestStream.WriteAsync(new Contracts.V1.RingMessage
        {
            Kind = Contracts.V1.RingMessageKind.Data, SenderRank = 0, Sequence = sequence, Data = Google.Protobuf.ByteString.CopyFrom(new byte[bytes]),
        });
        var error = await Assert.ThrowsAnyAsync<Grpc.Core.RpcException>(() => Hang.Guard(call.ResponseAsync, "the refusal"));

        Assert.Contains(problem, error.Status.Detail);
        Assert.Equal(0, inbox.Failure?.LostRank);
        Assert.Contains(problem, inbox.Failure!.Message);
        await Assert.ThrowsAsync<CollectiveException>(async () => await inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None));
    }

    [Fact]
    public async Task Ring_StrangerFromAnotherRankOrWorld_IsRefusedBeforeAnyData()
    {
        using var inbox = new RingInbox(1, 2, Secret, Small with { Streams = 1, Transport = RingTransport.Grpc });
        await using var server = await CollectiveServer.StartAsync(inbox, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var client = new Contracts.V1.Collective.CollectiveClient(channel);
        using var call = client.Ring(new Grpc.Core.Metadata { { CollectiveService.SecretHeader, Secret } });

        await call.RequestStream.WriteAsync(new Contracts.V1.RingMessage { Kind = Contracts.V1.RingMessageKind.Hello, SenderRank = 0, WorldSize = 3 });
        var error = await Assert.ThrowsAnyAsync<Grpc.Core.RpcException>(() => Hang.Guard(call.ResponseAsync, "the refusal"));

        Assert.Contains("runs with world size 3 but rank 1 with 2", error.Status.Detail);
    }

    private static bool Ipv6LoopbackWorks()
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.IPv6Loopback, 0);
            probe.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
