using System.Diagnostics;
using Asl.Distributed.Training.Collectives;
using Microsoft.Extensions.Time.Testing;
using static Asl.Distributed.Training.Tests.Collectives.SocketSender;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>
/// Connections to a rank's port that have not yet said what they are, from raw TCP clients: the preface timeout closes
/// them, the cap on begun data prefaces closes one too many at once, and gRPC calls and data streams go on meanwhile.
/// </summary>
public sealed class DataConnectionPrefaceTests
{
    /// <summary>An hour: on a fake clock only the fake clock can end it, so a timer on the real clock would hang the test.</summary>
    private static readonly CollectiveOptions Options = SocketReceiver.Options with { PrefaceTimeout = TimeSpan.FromHours(1) };

    [Fact]
    public async Task Connection_SilentOrWithAPartialPrefaceOrToken_IsClosedExactlyAtThePrefaceTimeoutOfAFakeClock()
    {
        var clock = new FakeTimeProvider();
        await using var receiver = await SocketReceiver.StartAsync(Options with { TimeProvider = clock });
        var connections = receiver.Server.DataConnections;
        using var silent = await receiver.RawAsync([]);
        using var partialPreface = await receiver.RawAsync("ASL"u8.ToArray());
        using var partialToken = await receiver.RawAsync([.. "ASL-RING"u8, 7]);
        using var partialHttp2 = await receiver.RawAsync("PRI * HTTP/2.0\r\n"u8.ToArray());
        // Each connection's timeout starts before it is counted, so once all are counted the clock may move.
        await Hang.Until(() => connections.Opening == 4 && connections.Pending == 2, "four connections opening, two of them data prefaces");

        clock.Advance(Options.PrefaceTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Equal(4, connections.Opening);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        await Hang.Guard(SocketReceiver.ClosedAsync(silent), "the silent connection closing");
        await Hang.Guard(SocketReceiver.ClosedAsync(partialPreface), "the connection with a partial preface closing");
        await Hang.Guard(SocketReceiver.ClosedAsync(partialToken), "the connection with a partial token closing");
        await Hang.Guard(SocketReceiver.ClosedAsync(partialHttp2), "the connection with a partial HTTP/2 preface closing");
        Assert.Equal((0, 0), (connections.Opening, connections.Pending));
        Assert.Null(receiver.Inbox.Failure);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("ASL-RINX")]
    [InlineData("PRI * HTTP/1.1")]
    public async Task Connection_StartingWithNeitherPreface_IsClosedAtOnce(string opening)
    {
        var clock = new FakeTimeProvider(); // it stands still: only the connection's bytes can close it
        await using var receiver = await SocketReceiver.StartAsync(Options with { TimeProvider = clock });
        using var stranger = await receiver.RawAsync(System.Text.Encoding.ASCII.GetBytes(opening));

        await Hang.Guard(SocketReceiver.ClosedAsync(stranger), "the stranger's connection closing");

        Assert.Equal((0, 0), (receiver.Server.DataConnections.Opening, receiver.Server.DataConnections.Pending));
    }

    [Fact]
    public async Task Connection_PartialTokenOnTheRealClock_IsClosedNoEarlierThanThePrefaceTimeout()
    {
        var options = Options with { PrefaceTimeout = TimeSpan.FromSeconds(1) };
        await using var receiver = await SocketReceiver.StartAsync(options);
        var clock = Stopwatch.StartNew();
        using var junk = await receiver.RawAsync([.. "ASL-RING"u8, 7]);

        await Hang.Guard(SocketReceiver.ClosedAsync(junk), "the connection with a partial token closing");

        // Only a lower bound: load can make the close late, never early (the fake-clock test pins the moment).
        Assert.True(clock.Elapsed >= options.PrefaceTimeout * 0.9, $"closed after {clock.Elapsed}, before the {options.PrefaceTimeout} preface timeout");
        Assert.Equal((0, 0), (receiver.Server.DataConnections.Opening, receiver.Server.DataConnections.Pending));
    }

    [Fact]
    public async Task Connection_HundredPartialPrefaces_TheOnesBeyondTheCapCloseAtOnceTheOthersAtThePrefaceTimeout()
    {
        // The report this answers: 100 connections that sent "ASL" were all still open 25 s later.
        var clock = new FakeTimeProvider();
        var options = Options with { TimeProvider = clock };
        await using var receiver = await SocketReceiver.StartAsync(options);
        var connections = receiver.Server.DataConnections;
        var junk = new List<System.Net.Sockets.TcpClient>();
        try
        {
            for (int i = 0; i < 100; i++)
                junk.Add(await receiver.RawAsync("ASL"u8.ToArray()));
            var closings = junk.Select(SocketReceiver.ClosedAsync).ToArray();

            int beyond = 100 - options.MaxPendingDataConnections;
            await Hang.Until(() => closings.Count(c => c.IsCompleted) == beyond, $"{beyond} connections beyond the cap closing");
            Assert.Equal(options.MaxPendingDataConnections, connections.Pending);

            clock.Advance(options.PrefaceTimeout);
            await Hang.Guard(Task.WhenAll(closings), "the waiting connections closing at the preface timeout");
            Assert.Equal((0, 0), (connections.Opening, connections.Pending));
        }
        finally
        {
            junk.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Connection_BeyondTheCapOfPendingPrefaces_IsClosedAtOnceWhileGrpcCallsAndDataStreamsStillWork()
    {
        var clock = new FakeTimeProvider(); // it stands still: the junk below waits for the whole test
        await using var receiver = await SocketReceiver.StartAsync(Options with { MaxPendingDataConnections = 2, TimeProvider = clock });
        var connections = receiver.Server.DataConnections;
        using var first = await receiver.RawAsync("ASL-R"u8.ToArray());
        using var second = await receiver.RawAsync([.. "ASL-RING"u8, 1, 2, 3]);
        using var silent = await receiver.RawAsync([]);
        await Hang.Until(() => connections.Opening == 3 && connections.Pending == 2, "two data prefaces and a silent connection waiting");

        using var third = await receiver.RawAsync("A"u8.ToArray());
        await Hang.Guard(SocketReceiver.ClosedAsync(third), "the third begun data preface being closed");
        Assert.Equal(2, connections.Pending);

        // A gRPC call on a new HTTP/2 connection grants a stream; its data connection brings preface and token in
        // one piece, as a rank's sender does, so it never waits among the junk.
        using var sender = await receiver.ConnectAsync();
        var destination = new float[2];
        var receiving = receiver.Inbox.ReceiveAsync(destination, 5, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.Stream.WriteAsync(Frame(FrameKind.Data, 0, 5, Bytes([3f, 4f])));
        await Hang.Guard(receiving, "the chunk on the granted data stream");

        Assert.Equal([3f, 4f], destination);
        Assert.Equal((3, 2), (connections.Opening, connections.Pending));
        Assert.Null(receiver.Inbox.Failure);
    }

    [Fact]
    public async Task Connection_PrefaceAndTokenInPieces_IsServedAsADataStreamAndCountedOnlyWhileItWaits()
    {
        await using var receiver = await SocketReceiver.StartAsync(Options);
        var connections = receiver.Server.DataConnections;
        var grant = await new Contracts.V1.Collective.CollectiveClient(receiver.Channel).OpenDataStreamAsync(
            new Contracts.V1.RingMessage { Kind = Contracts.V1.RingMessageKind.Hello, SenderRank = 0, WorldSize = 2 }, SocketReceiver.Headers);
        byte[] opening = [.. "ASL-RING"u8, .. grant.Token.ToByteArray()];
        using var client = await receiver.RawAsync(opening[..3]);
        await Hang.Until(() => connections.Pending == 1, "the begun preface being counted");
        using var sender = new SocketSender(client, grant.Token.ToByteArray());
        await sender.TrickleAsync(opening[3..]);

        var destination = new float[3];
        var receiving = receiver.Inbox.ReceiveAsync(destination, 2, WireFormat.Float32, Accumulation.Overwrite, CancellationToken.None).AsTask();
        await sender.TrickleAsync(Frame(FrameKind.Data, 0, 2, Bytes([1f, -2f, 3f])));
        await Hang.Guard(receiving, "the chunk after a preface in pieces");

        Assert.Equal([1f, -2f, 3f], destination);
        Assert.Equal((0, 0), (connections.Opening, connections.Pending));
    }
}
