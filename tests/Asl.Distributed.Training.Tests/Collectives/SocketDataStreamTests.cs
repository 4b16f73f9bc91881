using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Training.Collectives;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// The socket data streams of a real <see cref="CollectiveServer"/>, driven by hand: a gRPC client asks for the grant
/// and a raw TCP client writes the frames, so malformed and out-of-order input can be sent on purpose.
/// </summary>
public sealed class SocketDataStreamTests
{
    private const string Secret = "job-51d2";

    private static readonly CollectiveOptions Options = new()
    {
        ChunkLength = 4096,
        Streams = 1,
        PeerTimeout = TimeSpan.FromSeconds(20),
        RendezvousTimeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task DataStream_FramesCutAnywhere_ArriveInPlaceAddedAndAfterHeartbeats()
    {
        await using var receiver = await Receiver.StartAsync(Options);
        using var sender = await receiver.ConnectAsync();
        var first = RingHarness.RandomInputs(1, 1001, seed: 3)[0];
        var second = RingHarness.RandomInputs(1, 1001, seed: 4)[0];
        var destination = new float[1001];

        // The bytes go out in pieces of 1 to 13 bytes, so headers and elements straddle the server's reads.
        var receiving = receiver.Inbox.ReceiveAsync(destination, 7, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.TrickleAsync([.. Frame(FrameKind.Heartbeat, 0, 0, []), .. Frame(FrameKind.Data, 0, 7, Bytes(first))]);
        await receiving;
        Assert.Equal(first, destination);

        receiving = receiver.Inbox.ReceiveAsync(destination, 8, WireFormat.Float32, Accumulation.Add, CancellationToken.None).AsTask();
        await sender.TrickleAsync(Frame(FrameKind.Data, 1, 8, Bytes(second)));
        await receiving;
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
        await using var receiver = await Receiver.StartAsync(Options);
        using var sender = await receiver.ConnectAsync();
        var header = Frame((FrameKind)kind, sequence, 0, new byte[Math.Min(length, 64)]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), length);

        var receiving = receiver.Inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(header);
        var error = await Assert.ThrowsAsync<CollectiveException>(() => receiving);

        Assert.Contains(problem, error.Message);
        Assert.Equal(0, error.LostRank);
        var (lostRank, reason) = await sender.ReadAbortAsync();
        Assert.Equal(0, lostRank);
        Assert.Contains(problem, reason);
    }

    [Fact]
    public async Task DataStream_UnknownOrReusedToken_IsAnsweredWithAnAbortAndNothingIsAttached()
    {
        await using var receiver = await Receiver.StartAsync(Options);
        using var stranger = await receiver.ConnectAsync(token: new byte[RingFrames.TokenBytes]);
        var (_, reason) = await stranger.ReadAbortAsync();
        Assert.Contains("granted no data stream to this token", reason);

        using var first = await receiver.ConnectAsync();
        using var replay = await receiver.ConnectAsync(token: first.Token);
        (_, reason) = await replay.ReadAbortAsync();
        Assert.Contains("granted no data stream to this token", reason);
        Assert.Null(receiver.Inbox.Failure);
    }

    [Fact]
    public async Task OpenDataStream_AgainBeforeItsConnectionArrives_ReplacesTheUnusedGrantButNotAConnectedStream()
    {
        await using var receiver = await Receiver.StartAsync(Options);
        var client = new Collective.CollectiveClient(receiver.Channel);
        var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2, StreamIndex = 0 };
        byte[] unused = (await client.OpenDataStreamAsync(hello, Receiver.Headers)).Token.ToByteArray();

        using var sender = await receiver.ConnectAsync(); // asks again, as a sender whose first connection failed
        using var late = await receiver.ConnectAsync(token: unused);
        Assert.Contains("granted no data stream to this token", (await late.ReadAbortAsync()).Reason);

        var destination = new float[2];
        var receiving = receiver.Inbox.ReceiveAsync(destination, 3, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(Frame(FrameKind.Data, 0, 3, Bytes([1f, 2f])));
        await receiving;
        Assert.Equal([1f, 2f], destination);

        var again = await Assert.ThrowsAsync<RpcException>(async () => await client.OpenDataStreamAsync(hello, Receiver.Headers));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("opened stream 0; allowed: each of 0..0 once", again.Status.Detail);
    }

    [Fact]
    public async Task OpenDataStream_WithoutTheSecretFromAStrangerOrOverTheOtherTransport_IsRefused()
    {
        await using var receiver = await Receiver.StartAsync(Options);
        var client = new Collective.CollectiveClient(receiver.Channel);
        var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2 };

        var unauthenticated = await Assert.ThrowsAsync<RpcException>(async () => await client.OpenDataStreamAsync(hello));
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);

        var ring = client.Ring(Receiver.Headers);
        await ring.RequestStream.WriteAsync(hello);
        var otherTransport = await Assert.ThrowsAsync<RpcException>(async () => await ring.ResponseAsync);
        Assert.Contains("sends chunks over Grpc but rank 1 receives them over Socket; distributed.transport must match", otherTransport.Status.Detail);

        await using var fresh = await Receiver.StartAsync(Options);
        var stranger = await Assert.ThrowsAsync<RpcException>(async () => await new Collective.CollectiveClient(fresh.Channel)
            .OpenDataStreamAsync(new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 1, WorldSize = 2 }, Receiver.Headers));
        Assert.Equal(StatusCode.FailedPrecondition, stranger.StatusCode);
        Assert.Contains("accepts streams only from its left neighbour rank 0, not from rank 1", stranger.Status.Detail);
    }

    [Fact]
    public async Task DataStream_SilentSender_FailsTheReceiveAtThePeerTimeoutNamingIt()
    {
        await using var receiver = await Receiver.StartAsync(Options with { PeerTimeout = TimeSpan.FromSeconds(1) });
        using var sender = await receiver.ConnectAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CollectiveException>(async () =>
            await receiver.Inbox.ReceiveAsync(new float[4], 0, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Equal(0, error.LostRank);
        Assert.Contains("sent nothing, not even a heartbeat", error.Message);
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

    private static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Frame(FrameKind kind, long sequence, long tag, byte[] payload)
    {
        var frame = new byte[RingFrames.HeaderBytes + payload.Length];
        RingFrames.Write(frame, new FrameHeader(kind, WireFormat.Float32, payload.Length, sequence, tag));
        payload.CopyTo(frame, RingFrames.HeaderBytes);
        return frame;
    }

    /// <summary>Rank 1 of 2 receiving: its inbox and server, and a gRPC channel to it.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        public static readonly Metadata Headers = new() { { CollectiveService.SecretHeader, Secret } };

        private readonly CollectiveServer _server;

        private Receiver(RingInbox inbox, CollectiveServer server)
        {
            Inbox = inbox;
            _server = server;
            Channel = GrpcChannel.ForAddress(server.Address);
        }

        public RingInbox Inbox { get; }

        public GrpcChannel Channel { get; }

        public static async Task<Receiver> StartAsync(CollectiveOptions options)
        {
            var inbox = new RingInbox(1, 2, Secret, options);
            return new Receiver(inbox, await CollectiveServer.StartAsync(inbox, new IPEndPoint(IPAddress.Loopback, 0)));
        }

        /// <summary>A data connection for stream 0, with a freshly granted token unless <paramref name="token"/> is given.</summary>
        public async Task<Sender> ConnectAsync(byte[]? token = null)
        {
            if (token is null)
            {
                var grant = await new Collective.CollectiveClient(Channel).OpenDataStreamAsync(
                    new RingMessage { Kind = RingMessageKind.Hello, SenderRank = 0, WorldSize = 2, StreamIndex = 0 }, Headers);
                token = grant.Token.ToByteArray();
            }
            var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, _server.Address.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("ASL-RING"));
            await stream.WriteAsync(token);
            return new Sender(client, token);
        }

        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            Inbox.Dispose();
            await _server.DisposeAsync();
        }
    }

    private sealed class Sender(TcpClient client, byte[] token) : IDisposable
    {
        public NetworkStream Stream { get; } = client.GetStream();

        public byte[] Token { get; } = token;

        /// <summary>Writes <paramref name="bytes"/> in pieces of 1 to 13 bytes with a pause now and then.</summary>
        public async Task TrickleAsync(byte[] bytes)
        {
            int offset = 0, piece = 0;
            while (offset < bytes.Length)
            {
                int length = Math.Min(1 + piece % 13, bytes.Length - offset);
                await Stream.WriteAsync(bytes.AsMemory(offset, length));
                offset += length;
                if (++piece % 50 == 0)
                    await Task.Delay(1);
            }
        }

        /// <summary>The abort frame the receiver writes back when it stops, within 10 s.</summary>
        public async Task<(int LostRank, string Reason)> ReadAbortAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var header = new byte[RingFrames.HeaderBytes];
            await Stream.ReadExactlyAsync(header, timeout.Token);
            var frame = RingFrames.Read(header);
            Assert.Equal(FrameKind.Abort, frame.Kind);
            var payload = new byte[frame.Length];
            await Stream.ReadExactlyAsync(payload, timeout.Token);
            return RingFrames.ReadAbort(payload);
        }

        public void Dispose() => client.Dispose();
    }
}
