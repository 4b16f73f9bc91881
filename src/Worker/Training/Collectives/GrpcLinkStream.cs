using System.Buffers;
using System.Threading.Channels;
using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A link stream that is a gRPC <c>Ring</c> client stream (<see cref="RingTransport.Grpc"/>). A send returns once its
/// chunk is encoded into a pooled buffer and queued, so the link's streams write at once.
/// </summary>
internal sealed class GrpcLinkStream : ILinkStream
{
    private readonly AsyncClientStreamingCall<RingMessage, RingAck> _call;
    private readonly Channel<Outgoing> _queue;
    private readonly int _senderRank;
    private readonly Action<Exception> _broke;
    private readonly Task _writer;

    private GrpcLinkStream(AsyncClientStreamingCall<RingMessage, RingAck> call, int senderRank, int queueCapacity, Action<Exception> broke)
    {
        _call = call;
        _senderRank = senderRank;
        _broke = broke;
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(queueCapacity) { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
        _ = call.ResponseAsync.ContinueWith(t => broke(t.Exception!.InnerException!),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Opens a Ring call with <paramref name="hello"/>; throws an <see cref="RpcException"/> with the server's answer when refused.</summary>
    public static async Task<GrpcLinkStream> OpenAsync(GrpcChannel channel, Metadata headers, RingMessage hello, int queueCapacity,
        Action<Exception> broke, CancellationToken stop, CancellationToken ct)
    {
        var call = new Collective.CollectiveClient(channel).Ring(headers, cancellationToken: stop);
        try
        {
            await call.RequestStream.WriteAsync(hello, ct).ConfigureAwait(false);
            return new GrpcLinkStream(call, hello.SenderRank, queueCapacity, broke);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            var status = await StatusOfAsync(call, e).ConfigureAwait(false);
            call.Dispose();
            throw new RpcException(status);
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long sequence, long tag, WireFormat format, CancellationToken ct)
    {
        int length = chunk.Length * WireCodec.BytesPerElement(format);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        WireCodec.Encode(chunk.Span, rented.AsSpan(0, length), format);
        // UnsafeWrap avoids a second copy; the pooled array goes back once the stream has written the message.
        var message = new RingMessage
        {
            Kind = RingMessageKind.Data,
            SenderRank = _senderRank,
            Sequence = sequence,
            Tag = tag,
            Element = (WireElement)format,
            Data = UnsafeByteOperations.UnsafeWrap(rented.AsMemory(0, length)),
        };
        try
        {
            await _queue.Writer.WriteAsync(new Outgoing(message, rented), ct).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
    }

    public void TrySendHeartbeat() =>
        _queue.Writer.TryWrite(new Outgoing(new RingMessage { Kind = RingMessageKind.Heartbeat, SenderRank = _senderRank }, null));

    public void Stop(CollectiveException error) => _queue.Writer.TryComplete(error);

    public async Task CloseAsync(CancellationToken grace)
    {
        _queue.Writer.TryComplete();
        await _writer.WaitAsync(grace).ConfigureAwait(false);
        await _call.RequestStream.CompleteAsync().WaitAsync(grace).ConfigureAwait(false);
        await _call.ResponseAsync.WaitAsync(grace).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var outgoing in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await _call.RequestStream.WriteAsync(outgoing.Message).ConfigureAwait(false);
                }
                finally
                {
                    if (outgoing.Rented is not null)
                        ArrayPool<byte>.Shared.Return(outgoing.Rented);
                }
            }
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException or OperationCanceledException)
        {
            await BrokeAfterResponseAsync(e).ConfigureAwait(false);
            while (_queue.Reader.TryRead(out var left))
            {
                if (left.Rented is not null)
                    ArrayPool<byte>.Shared.Return(left.Rented);
            }
        }
    }

    /// <summary>
    /// Reports a failed write only after the call's own end is known: a receiver that stops ends the call with
    /// trailers naming the lost rank, and those, not the write's failure, say which rank is lost. The bound only
    /// guards against a call that never ends.
    /// </summary>
    private async Task BrokeAfterResponseAsync(Exception writeFailure)
    {
        try
        {
            await _call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (RpcException answered)
        {
            _broke(answered);
        }
        catch (Exception waited) when (waited is TimeoutException or InvalidOperationException or IOException or OperationCanceledException)
        {
            // No answer: the write's failure is all there is.
        }
        _broke(writeFailure);
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

    private readonly record struct Outgoing(RingMessage Message, byte[]? Rented);
}
