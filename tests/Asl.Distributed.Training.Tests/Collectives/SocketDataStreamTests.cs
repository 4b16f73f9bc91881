using System.Buffers.Binary;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Training.Collectives;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using static Asl.Distributed.Training.Tests.Collectives.SocketSender;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// The socket data streams of a real <see cref="CollectiveServer"/>, driven by hand: a gRPC client asks for the grant
/// and a raw TCP client writes the frames, so malformed and out-of-order input can be sent on purpose.
/// </summary>
public sealed class SocketDataStreamTests
{
    private static readonly CollectiveOptions Options = SocketReceiver.Options;

    [Fact]
    public async Task DataStream_FramesCutAnywhere_ArriveInPlaceAddedAndAfterHeartbeats()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        using var sender = await receiver.ConnectAsync();
        var first = RingHarness.RandomInputs(1, 1001, seed: 3)[0];
        var second = RingHarness.RandomInputs(1, 1001, seed: 4)[0];
        var destination = new float[1001];

        // The bytes go out in pieces of 1 to 13 bytes, so headers and elements straddle the server's reads.
        var receiving = receiver.Inbox.ReceiveAsync(destination, 7, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.TrickleAsync([.. Frame(FrameKind.Heartbeat, 0, 0, []), .. Frame(FrameKind.Data, 0, 7, Bytes(first))]);
        await Hang.Guard(receiving, "the chunk");
        Assert.Equal(first, destination);

        receiving = receiver.Inbox.ReceiveAsync(destination, 8, WireFormat.Float32, Accumulation.Add, CancellationToken.None).AsTask();
        await sender.TrickleAsync(Frame(FrameKind.Data, 1, 8, Bytes(second)));
        await Hang.Guard(receiving, "the chunk");
        for (int i = 0; i < destination.Length; i++)
            Assert.Equal(first[i] + second[i], destination[i]);
        Assert.Null(receiver.Inbox.Failure);
    }

    [Theory]
    [InlineData(1, 5L, 16, "expected message 0 (collective 0, step 0) with 4 Float32 values but received message 5")]
    [InlineData(1, 0L, 6, "received message 0 (collective 0, step 0) with 6 bytes of Float32")]
    [InlineData(1, 0L, int.MaxValue, "with 2147483647 bytes of Float32")]
    [InlineData(7, 0L, 16, "sent a frame of kind 7 and 16 bytes on data stream 0")]
    public async Task DataStream_MalformedOrOutOfOrderFrame_FailsTheInboxAndAbortsTheSenderNamingTheProblem(byte kind, long sequence, int length, string problem)
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        using var sender = await receiver.ConnectAsync();
        var header = Frame((FrameKind)kind, sequence, 0, new byte[Math.Min(length, 64)]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), length);

        var receiving = receiver.Inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(header);
        var error = await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(receiving, "the failed receive"));

        Assert.Contains(problem, error.Message);
        Assert.Equal(0, error.LostRank);
        var (lostRank, reason) = await sender.ReadAbortAsync();
        Assert.Equal(0, lostRank);
        Assert.Contains(problem, reason);
    }

    [Fact]
    public async Task DataStream_UnknownOrReusedToken_IsAnsweredWithAnAbortAndNothingIsAttached()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        using var stranger = await receiver.ConnectAsync(token: new byte[RingFrames.TokenBytes]);
        var (_, reason) = await stranger.ReadAbortAsync();
        Assert.Contains("granted no data stream to this token", reason);

        // Two connections with one token reach the server in either order, and whichever comes first takes the
        // stream; so the replay connects only once the first one holds it, shown by its chunk arriving.
        using var first = await receiver.ConnectAsync();
        var destination = new float[1];
        var receiving = receiver.Inbox.ReceiveAsync(destination, 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await first.Stream.WriteAsync(Frame(FrameKind.Data, 0, 0, Bytes([5f])));
        await Hang.Guard(receiving, "the first connection's chunk");
        using var replay = await receiver.ConnectAsync(token: first.Token);
        (_, reason) = await replay.ReadAbortAsync();
        Assert.Contains("granted no data stream to this token", reason);
        Assert.Null(receiver.Inbox.Failure);
        Assert.Equal([5f], destination);
    }

    [Fact]
    public async Task OpenDataStream_AgainBeforeItsConnectionArrives_ReplacesTheUnusedGrantButNotAConnectedStream()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        var client = new Collective.CollectiveClient(receiver.Channel);
        var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2, StreamIndex = 0 };
        byte[] unused = (await client.OpenDataStreamAsync(hello, SocketReceiver.Headers)).Token.ToByteArray();

        using var sender = await receiver.ConnectAsync(); // asks again, as a sender whose first connection failed
        using var late = await receiver.ConnectAsync(token: unused);
        Assert.Contains("granted no data stream to this token", (await late.ReadAbortAsync()).Reason);

        var destination = new float[2];
        var receiving = receiver.Inbox.ReceiveAsync(destination, 3, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(Frame(FrameKind.Data, 0, 3, Bytes([1f, 2f])));
        await Hang.Guard(receiving, "the chunk");
        Assert.Equal([1f, 2f], destination);

        var again = await Assert.ThrowsAsync<RpcException>(async () => await client.OpenDataStreamAsync(hello, SocketReceiver.Headers));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("opened stream 0; allowed: each of 0..0 once", again.Status.Detail);
    }

    [Fact]
    public async Task OpenDataStream_WithoutTheSecretFromAStrangerOrOverTheOtherTransport_IsRefused()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        var client = new Collective.CollectiveClient(receiver.Channel);
        var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2 };

        var unauthenticated = await Assert.ThrowsAsync<RpcException>(async () => await client.OpenDataStreamAsync(hello));
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);

        var ring = client.Ring(SocketReceiver.Headers);
        await ring.RequestStream.WriteAsync(hello);
        var otherTransport = await Assert.ThrowsAsync<RpcException>(async () => await ring.ResponseAsync);
        Assert.Contains("sends chunks over Grpc but rank 1 receives them over Socket; distributed.transport must match", otherTransport.Status.Detail);

        await using var fresh = await SocketReceiver.StartAsync(Options);
        var stranger = await Assert.ThrowsAsync<RpcException>(async () => await new Collective.CollectiveClient(fresh.Channel)
            .OpenDataStreamAsync(new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 1, WorldSize = 2 }, SocketReceiver.Headers));
        Assert.Equal(StatusCode.FailedPrecondition, stranger.StatusCode);
        Assert.Contains("accepts streams only from its left neighbour rank 0, not from rank 1", stranger.Status.Detail);
    }

    [Fact]
    public async Task DataStream_SilentSenderOnTheRealClock_FailsTheReceiveNoEarlierThanThePeerTimeoutNamingIt()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options with { PeerTimeout = TimeSpan.FromSeconds(1) });
        using var sender = await receiver.ConnectAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(
            receiver.Inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask(), "the peer timeout"));

        // Only a lower bound: load can make the watchdog late, never early (the fake-clock test pins the moment).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"failed after {clock.Elapsed}, before the 1 s peer timeout");
        Assert.Equal(0, error.LostRank);
        Assert.Contains("sent nothing, not even a heartbeat", error.Message);
        Assert.Equal(0, (await sender.ReadAbortAsync()).LostRank);
    }

    [Fact]
    public async Task DataStream_SilentSenderOnAFakeClock_FailsTheReceiveExactlyAtThePeerTimeoutNamingIt()
    {
        // An hour: only the fake clock can end it, so a watchdog on the real clock would hang the test.
        var clock = new FakeTimeProvider();
        var options = Options with { PeerTimeout = TimeSpan.FromHours(1), TimeProvider = clock };
        await using var receiver = await SocketReceiver.StartAsync(options);
        using var sender = await receiver.ConnectAsync();
        // A first chunk shows the connection attached and heard from before the clock moves.
        var receiving = receiver.Inbox.ReceiveAsync(new float[1], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(Frame(FrameKind.Data, 0, 0, Bytes([1f])));
        await Hang.Guard(receiving, "the first chunk");

        var waiting = receiver.Inbox.ReceiveAsync(new float[4], 1, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        // The watchdog runs inside Advance, so a failure it finds is already recorded when Advance returns.
        clock.Advance(options.PeerTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Null(receiver.Inbox.Failure);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(receiver.Inbox.Failure);

        var error = await Assert.ThrowsAsync<CollectiveException>(() => Hang.Guard(waiting, "the failed receive"));
        Assert.Equal(0, error.LostRank);
        Assert.Contains("rank 0 sent nothing, not even a heartbeat, for 3600.0 s (collective timeout 3600 s)", error.Message);
        Assert.Equal(0, (await sender.ReadAbortAsync()).LostRank);
    }

    [Theory]
    [InlineData(WireFormat.Float32, false, 1)]
    [InlineData(WireFormat.Float32, true, 1)]
    [InlineData(WireFormat.Float32, true, 3)]
    [InlineData(WireFormat.BFloat16, true, 1)]
    [InlineData(WireFormat.BFloat16, true, 2)]
    [InlineData(WireFormat.Float16, false, 1)]
    public void Decode_SegmentsThatCutElements_EqualsDecodingTheContiguousBytes(WireFormat format, bool add, int divisor)
    {
        var values = RingHarness.RandomInputs(1, 777, seed: 9)[0];
        var bytes = new byte[values.Length * WireCodec.BytesPerElement(format)];
        WireCodec.Encode(values, bytes, format);
        var start = RingHarness.RandomInputs(1, values.Length, seed: 10)[0];
        var expected = (float[])start.Clone();
        var actual = (float[])start.Clone();
        if (add)
            WireCodec.DecodeAdd(bytes, expected, format);
        else
            WireCodec.Decode(bytes, expected, format);
        for (int i = 0; i < expected.Length; i++)
            expected[i] /= divisor;
        var accumulation = !add ? Accumulation.Overwrite : divisor > 1 ? Accumulation.AddThenDivide(divisor) : Accumulation.Add;

        RingFrames.Decode(Segments.Cut(bytes, [1, 3, 2, 7, 1, 1, 5]), actual, format, accumulation);

        Assert.Equal(expected, actual);
        Assert.Throws<ArgumentException>(() => RingFrames.Decode(Segments.Cut(bytes.AsSpan(0, bytes.Length - 2).ToArray(), [3]), actual, format, accumulation));
    }
}
