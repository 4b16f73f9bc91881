using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A ring link over gRPC. Sends go to the right neighbour's <see cref="CollectiveService"/> over
/// <see cref="CollectiveOptions.Streams"/> client streams, each on its own HTTP/2 connection, message k on stream
/// k mod S; a send returns once its chunk is encoded into a pooled buffer and queued, so several streams write at
/// once. Receives come from this rank's <see cref="RingInbox"/>. An idle stream 0 carries heartbeats. Any failure,
/// on either side, ends the link with a <see cref="CollectiveException"/> naming the lost rank and is passed on to
/// the right neighbour with the Abort call, so every rank of the ring stops.
/// </summary>
public sealed class GrpcRingLink : IRingLink, IAsyncDisposable
{
    private readonly RingInbox _inbox;
    private readonly Uri _rightAddress;
    private readonly string _secret;
    private readonly CollectiveOptions _options;
    private readonly GrpcChannel[] _channels;
    private readonly Metadata _headers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stream[] _streams;
    private readonly Timer _heartbeat;
    private long _nextSequence;
    private long _lastSent = Stopwatch.GetTimestamp();
    private long _bytesSent;
    private CollectiveException? _failure;
    private int _closing;
    private Task _telling = Task.CompletedTask;

    public GrpcRingLink(RingInbox inbox, Uri rightAddress, string secret)
    {
        _inbox = inbox;
        _rightAddress = rightAddress;
        _secret = secret;
        _options = inbox.Options;
        RightRank = (inbox.Rank + 1) % inbox.WorldSize;
        _headers = new Metadata { { CollectiveService.SecretHeader, secret } };
        _channels = new GrpcChannel[_options.Streams];
        _streams = new Stream[_options.Streams];
        for (int s = 0; s < _options.Streams; s++)
            _channels[s] = PeerChannels.Create(rightAddress, _options);
        _inbox.Failed += error => Fail(error);
        _heartbeat = new Timer(_ => SendHeartbeat(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The rank this link sends to.</summary>
    public int RightRank { get; }

    /// <summary>Payload bytes sent so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>
    /// Opens every stream with a HELLO, retrying while the right neighbour is not listening yet, until
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp); then fails naming the neighbour.
    /// </summary>
    public async Task ConnectAsync(long deadline, CancellationToken ct)
    {
        for (int s = 0; s < _streams.Length; s++)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                ThrowIfFailed();
                var call = new Collective.CollectiveClient(_channels[s]).Ring(_headers, cancellationToken: _stop.Token);
                var hello = new RingMessage { Kind = RingMessageKind.Hello, SenderRank = _inbox.Rank, WorldSize = _inbox.WorldSize, StreamIndex = s };
                try
                {
                    await call.RequestStream.WriteAsync(hello, ct).ConfigureAwait(false);
                    _streams[s] = new Stream(call, Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true }));
                    break;
                }
                catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
                {
                    var status = await StatusOfAsync(call, e).ConfigureAwait(false);
                    call.Dispose();
                    if (status.StatusCode is StatusCode.Unauthenticated or StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
                        throw Fail(new CollectiveException(_inbox.Rank, RightRank, $"rank {RightRank} at {_rightAddress} refused the connection ({status.StatusCode}: {status.Detail})"));
                    if (Stopwatch.GetTimestamp() >= deadline)
                    {
                        throw Fail(new CollectiveException(_inbox.Rank, RightRank,
                            $"rank {RightRank} at {_rightAddress} could not be reached within the rendezvous timeout of " +
                            $"{_options.RendezvousTimeout.TotalSeconds:G} s ({status.Detail})"));
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                }
            }
        }
        foreach (var stream in _streams)
        {
            stream.Writer = Task.Run(() => WriteLoopAsync(stream));
            _ = stream.Call.ResponseAsync.ContinueWith(t => Fail(LostRight(t.Exception!.InnerException!)),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        _heartbeat.Change(_options.HeartbeatInterval, _options.HeartbeatInterval);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct)
    {
        ThrowIfFailed();
        int length = chunk.Length * WireCodec.BytesPerElement(format);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        WireCodec.Encode(chunk.Span, rented.AsSpan(0, length), format);
        long sequence = _nextSequence++;
        // UnsafeWrap avoids a second copy; the pooled array goes back once the stream has written the message.
        var message = new RingMessage
        {
            Kind = RingMessageKind.Data,
            SenderRank = _inbox.Rank,
            Sequence = sequence,
            Tag = tag,
            Element = (WireElement)format,
            Data = UnsafeByteOperations.UnsafeWrap(rented.AsMemory(0, length)),
        };
        try
        {
            await _streams[sequence % _streams.Length].Queue.Writer.WriteAsync(new Outgoing(message, rented), ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(rented);
            ThrowIfFailed();
            throw new CollectiveException(_inbox.Rank, RightRank, "the link to the right neighbour is closed");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
        Interlocked.Add(ref _bytesSent, length);
    }

    public ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, bool add, CancellationToken ct) =>
        _inbox.ReceiveAsync(destination, tag, format, add, ct);

    /// <summary>Ends the streams: the job is over, nothing more will be sent.</summary>
    public async ValueTask DisposeAsync()
    {
        // A failure is passed on before the streams close, so the right neighbour learns which rank is lost
        // rather than seeing this rank leave.
        await Volatile.Read(ref _telling).WaitAsync(TimeSpan.FromSeconds(3)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        Interlocked.Exchange(ref _closing, 1);
        await _heartbeat.DisposeAsync().ConfigureAwait(false);
        foreach (var stream in _streams.Where(s => s is not null))
            stream.Queue.Writer.TryComplete();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        foreach (var stream in _streams.Where(s => s is not null))
        {
            try
            {
                await (stream.Writer ?? Task.CompletedTask).WaitAsync(grace.Token).ConfigureAwait(false);
                await stream.Call.RequestStream.CompleteAsync().WaitAsync(grace.Token).ConfigureAwait(false);
                await stream.Call.ResponseAsync.WaitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or IOException or CollectiveException)
            {
                // The neighbour may already be gone; nothing is left to deliver.
            }
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var stream in _streams.Where(s => s is not null))
            stream.Call.Dispose();
        foreach (var channel in _channels)
            channel.Dispose();
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(Stream stream)
    {
        try
        {
            await foreach (var outgoing in stream.Queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await stream.Call.RequestStream.WriteAsync(outgoing.Message).ConfigureAwait(false);
                }
                finally
                {
                    if (outgoing.Rented is not null)
                        ArrayPool<byte>.Shared.Return(outgoing.Rented);
                }
                Volatile.Write(ref _lastSent, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or OperationCanceledException)
        {
            Fail(LostRight(e));
            while (stream.Queue.Reader.TryRead(out var left))
            {
                if (left.Rented is not null)
                    ArrayPool<byte>.Shared.Return(left.Rented);
            }
        }
    }

    private void SendHeartbeat()
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSent)) < _options.HeartbeatInterval || _streams[0] is null)
            return;
        // A full queue means data is on its way anyway; the heartbeat is only for an idle link.
        _streams[0].Queue.Writer.TryWrite(new Outgoing(new RingMessage { Kind = RingMessageKind.Heartbeat, SenderRank = _inbox.Rank }, null));
    }

    private CollectiveException LostRight(Exception e)
    {
        if (e is CollectiveException collective)
            return collective;
        if (e is RpcException rpc)
        {
            // The neighbour ended the stream because it knows of a failure: report the rank it names.
            if (int.TryParse(rpc.Trailers.GetValue(CollectiveService.LostRankTrailer), out int lost)
                && rpc.Trailers.GetValueBytes(CollectiveService.ReasonTrailer) is { } reason)
            {
                return new CollectiveException(_inbox.Rank, lost, $"reported by rank {RightRank}: {System.Text.Encoding.UTF8.GetString(reason)}", e);
            }
            if (rpc.StatusCode is StatusCode.Unauthenticated or StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
                return new CollectiveException(_inbox.Rank, RightRank, $"rank {RightRank} at {_rightAddress} refused the connection ({rpc.StatusCode}: {rpc.Status.Detail})", e);
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
            stream.Queue.Writer.TryComplete(error);
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

    /// <summary>Why a stream could not be opened: the server's own status when it answered (a refusal), else the local error.</summary>
    private static async Task<Status> StatusOfAsync(AsyncClientStreamingCall<RingMessage, RingAck> call, Exception e)
    {
        try
        {
            await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (RpcException answered)
        {
            return answered.Status;
        }
        catch (Exception waited) when (waited is TimeoutException or InvalidOperationException or IOException)
        {
            // No answer: fall back to what the write saw.
        }
        return e is RpcException rpc ? rpc.Status : new Status(StatusCode.Unavailable, e.Message);
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
            throw failure;
    }

    private sealed class Stream(AsyncClientStreamingCall<RingMessage, RingAck> call, Channel<Outgoing> queue)
    {
        public AsyncClientStreamingCall<RingMessage, RingAck> Call { get; } = call;

        public Channel<Outgoing> Queue { get; } = queue;

        public Task? Writer { get; set; }
    }

    private readonly record struct Outgoing(RingMessage Message, byte[]? Rented);
}
