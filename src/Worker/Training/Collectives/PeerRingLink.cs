using System.Net;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A ring link to the right neighbour's <see cref="CollectiveService"/>. It opens <see cref="CollectiveOptions.Streams"/>
/// streams, each on its own connection, and sends message k on stream k mod S: socket data streams granted by
/// <c>OpenDataStream</c> (<see cref="SocketLinkStream"/>) or gRPC <c>Ring</c> calls (<see cref="GrpcLinkStream"/>), as
/// <see cref="CollectiveOptions.Transport"/> says. Receives come from this rank's <see cref="RingInbox"/>. An idle
/// link sends heartbeats on the stream of its next message. Any failure, on either side, ends the link with a <see cref="CollectiveException"/>
/// naming the lost rank and is passed on to the right neighbour with the gRPC Abort call, so every rank of the ring
/// stops.
/// </summary>
public sealed class PeerRingLink : IRingLink, IAsyncDisposable
{
    private readonly RingInbox _inbox;
    private readonly Uri _rightAddress;
    private readonly CollectiveOptions _options;
    private readonly TimeProvider _time;
    private readonly GrpcChannel[] _channels;
    private readonly Metadata _headers;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILinkStream[] _streams;
    private readonly ITimer _heartbeat;
    private long _nextSequence;
    private long _lastSent;
    private long _bytesSent;
    private CollectiveException? _failure;
    private int _closing;
    private Task _telling = Task.CompletedTask;

    public PeerRingLink(RingInbox inbox, Uri rightAddress, string secret)
    {
        _inbox = inbox;
        _rightAddress = rightAddress;
        _options = inbox.Options;
        _time = _options.TimeProvider;
        _lastSent = _time.GetTimestamp();
        RightRank = (inbox.Rank + 1) % inbox.WorldSize;
        _headers = new Metadata { { CollectiveService.SecretHeader, secret } };
        // Socket streams need one channel only, for the control calls; gRPC streams each get their own connection.
        _channels = new GrpcChannel[_options.Transport == RingTransport.Grpc ? _options.Streams : 1];
        for (int s = 0; s < _channels.Length; s++)
            _channels[s] = PeerChannels.Create(rightAddress, _options);
        _streams = new ILinkStream[_options.Streams];
        _inbox.Failed += error => Fail(error);
        _heartbeat = _time.CreateTimer(_ => SendHeartbeat(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The rank this link sends to.</summary>
    public int RightRank { get; }

    /// <summary>Payload bytes sent so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>The receiving end of this rank's ring (what the left neighbour sends).</summary>
    internal RingInbox Inbox => _inbox;

    /// <summary>
    /// Opens every stream with a HELLO, retrying while the right neighbour is not listening yet, until
    /// <paramref name="deadline"/> (a timestamp of <see cref="CollectiveOptions.TimeProvider"/>); then fails naming
    /// the neighbour.
    /// </summary>
    public async Task ConnectAsync(long deadline, CancellationToken ct)
    {
        for (int s = 0; s < _streams.Length; s++)
        {
            var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = _inbox.Rank, WorldSize = _inbox.WorldSize, StreamIndex = s };
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                ThrowIfFailed();
                try
                {
                    _streams[s] = await OpenAsync(hello, ct).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is RpcException or IOException or System.Net.Sockets.SocketException)
                {
                    var status = e is RpcException rpc ? rpc.Status : new Status(StatusCode.Unavailable, e.Message);
                    if (status.StatusCode is StatusCode.Unauthenticated or StatusCode.FailedPrecondition or StatusCode.InvalidArgument or StatusCode.Unimplemented)
                        throw Fail(new CollectiveException(_inbox.Rank, RightRank, $"rank {RightRank} at {_rightAddress} refused the connection ({status.StatusCode}: {status.Detail})"));
                    if (_time.GetTimestamp() >= deadline)
                    {
                        throw Fail(new CollectiveException(_inbox.Rank, RightRank,
                            $"rank {RightRank} at {_rightAddress} could not be reached within the rendezvous timeout of " +
                            $"{_options.RendezvousTimeout.TotalSeconds:G} s ({status.Detail})"));
                    }
                    // A pause between tries, not a timeout: on the real clock, so that retries go on while a test's
                    // fake clock stands still (the deadline above is on the options' clock).
                    await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                }
            }
        }
        _heartbeat.Change(_options.HeartbeatInterval, _options.HeartbeatInterval);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct)
    {
        ThrowIfFailed();
        long sequence = _nextSequence++;
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        try
        {
            await _streams[sequence % _streams.Length].SendAsync(chunk, sequence, tag, format, ct).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            ThrowIfFailed();
            throw new CollectiveException(_inbox.Rank, RightRank, "the link to the right neighbour is closed");
        }
        catch (IOException)
        {
            ThrowIfFailed();
            throw;
        }
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        Interlocked.Add(ref _bytesSent, chunk.Length * WireCodec.BytesPerElement(format));
    }

    public ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct) =>
        _inbox.ReceiveAsync(destination, tag, format, accumulation, ct);

    /// <summary>Ends the streams: the job is over, nothing more will be sent.</summary>
    public async ValueTask DisposeAsync()
    {
        // A failure is passed on before the streams close, so the right neighbour learns which rank is lost
        // rather than seeing this rank leave.
        await Volatile.Read(ref _telling).WaitAsync(TimeSpan.FromSeconds(3)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        Interlocked.Exchange(ref _closing, 1);
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        foreach (var stream in _streams.Where(s => s is not null))
        {
            try
            {
                await stream.CloseAsync(grace.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or IOException or CollectiveException)
            {
                // The neighbour may already be gone; nothing is left to deliver.
            }
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var stream in _streams.Where(s => s is not null))
            await stream.DisposeAsync().ConfigureAwait(false);
        foreach (var channel in _channels)
            channel.Dispose();
        _stop.Dispose();
    }

    private async Task<ILinkStream> OpenAsync(RingMessage hello, CancellationToken ct)
    {
        if (_options.Transport == RingTransport.Grpc)
            return await GrpcLinkStream.OpenAsync(_channels[hello.StreamIndex], _headers, hello, _options.QueueCapacity, Broke, _stop.Token, ct).ConfigureAwait(false);
        var grant = await new Collective.CollectiveClient(_channels[0])
            .OpenDataStreamAsync(hello, _headers, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct).ConfigureAwait(false);
        return await SocketLinkStream.OpenAsync(new DnsEndPoint(_rightAddress.IdnHost, _rightAddress.Port), grant.Token.ToByteArray(), _options.Tls, Broke, ct).ConfigureAwait(false);
    }

    private void Broke(Exception e) => Fail(LostRight(e));

    private void SendHeartbeat()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastSent)) < _options.HeartbeatInterval)
            return;
        // On the stream of the next message: that is the one the right neighbour waits on (a socket stream is read
        // only while a chunk is due on it). A busy stream means data is on its way anyway.
        var next = _streams[Interlocked.Read(ref _nextSequence) % _streams.Length];
        next?.TrySendHeartbeat();
    }

    private CollectiveException LostRight(Exception e)
    {
        switch (e)
        {
            case CollectiveException collective:
                return collective;
            case RingAbortedException aborted:
                return new CollectiveException(_inbox.Rank, aborted.LostRank, $"reported by rank {RightRank}: {aborted.Reason}", e);
            case RpcException rpc:
                // The neighbour ended the stream because it knows of a failure: report the rank it names.
                if (int.TryParse(rpc.Trailers.GetValue(CollectiveService.LostRankTrailer), out int lost)
                    && rpc.Trailers.GetValueBytes(CollectiveService.ReasonTrailer) is { } reason)
                {
                    return new CollectiveException(_inbox.Rank, lost, $"reported by rank {RightRank}: {System.Text.Encoding.UTF8.GetString(reason)}", e);
                }
                if (rpc.StatusCode is StatusCode.Unauthenticated or StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
                    return new CollectiveException(_inbox.Rank, RightRank, $"rank {RightRank} at {_rightAddress} refused the connection ({rpc.StatusCode}: {rpc.Status.Detail})", e);
                break;
        }
        string detail = e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message;
        return new CollectiveException(_inbox.Rank, RightRank, $"the connection to rank {RightRank} at {_rightAddress} broke ({detail})", e);
    }

    /// <summary>Ends the link once: stops the streams, fails the inbox and tells the right neighbour why (best effort).</summary>
    private CollectiveException Fail(CollectiveException error)
    {
        if (Volatile.Read(ref _closing) == 1)
            return error;
        if (Interlocked.CompareExchange(ref _failure, error, null) is not null)
            return _failure!;
        if (error.LostRank != RightRank)
            Volatile.Write(ref _telling, TellRightAsync(error));
        foreach (var stream in _streams.Where(s => s is not null))
            stream.Stop(error);
        _inbox.Fail(error);
        return error;
    }

    private async Task TellRightAsync(CollectiveException error)
    {
        try
        {
            var client = new Collective.CollectiveClient(_channels[0]);
            await client.AbortAsync(new AbortRequest { SenderRank = _inbox.Rank, LostRank = error.LostRank, Reason = error.Reason },
                _headers, deadline: DateTime.UtcNow.AddSeconds(2)).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The neighbour is gone too; it will find out by itself or already has.
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
            throw failure;
    }
}
