using System.Buffers;
using System.Runtime.InteropServices;
using Asl.Distributed.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A ring link over gRPC: sends go on one client stream to the right neighbour's <see cref="CollectiveService"/>;
/// receives come from this rank's <see cref="RingInbox"/>, filled by the left neighbour's stream.
/// </summary>
public sealed class GrpcRingLink : IRingLink, IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Collective.CollectiveClient _client;
    private readonly RingInbox _inbox;
    private readonly Metadata _headers;
    private AsyncClientStreamingCall<RingChunk, RingAck>? _call;

    public GrpcRingLink(RingInbox inbox, Uri rightNeighbour, string secret)
    {
        _inbox = inbox;
        _channel = GrpcChannel.ForAddress(rightNeighbour, new GrpcChannelOptions
        {
            MaxSendMessageSize = inbox.MaxChunkFloats * sizeof(float) + 1024,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                InitialHttp2StreamWindowSize = 16 << 20, // as the server's: a chunk stream should not stall on flow control
            },
        });
        _client = new Collective.CollectiveClient(_channel);
        _headers = new Metadata { { CollectiveService.SecretHeader, secret } };
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, int tag, CancellationToken ct)
    {
        if (_call is null)
        {
            _call = _client.Ring(_headers, cancellationToken: CancellationToken.None);
            // A refused or broken outgoing stream breaks the ring: fail this rank's receives too, so its all-reduce
            // stops at once instead of waiting for chunks that can no longer come round.
            _ = _call.ResponseAsync.ContinueWith(t => _inbox.Fail(t.Exception!.InnerException!),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        int length = chunk.Length * sizeof(float);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        MemoryMarshal.AsBytes(chunk.Span).CopyTo(rented);
        // UnsafeWrap avoids a second copy; the write serialises the message before it completes, so the pooled
        // array can go back afterwards.
        var message = new RingChunk { Tag = tag, SenderRank = _inbox.Rank, Data = UnsafeByteOperations.UnsafeWrap(rented.AsMemory(0, length)) };
        try
        {
            await _call.RequestStream.WriteAsync(message, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (_call.GetStatus() is { StatusCode: not StatusCode.OK } status)
        {
            throw new RpcException(status);
        }
        catch (RpcException)
        {
            // The server's reason (for example UNAUTHENTICATED) is in the response, not in the write's error.
            await _call.ResponseAsync.ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public ValueTask ReceiveAsync(Memory<float> destination, int tag, CancellationToken ct) => _inbox.ReceiveAsync(destination, tag, ct);

    public async ValueTask DisposeAsync()
    {
        if (_call is not null)
        {
            try
            {
                await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                await _call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // The neighbour may already be gone; nothing is left to deliver.
            }
            _call.Dispose();
        }
        _channel.Dispose();
    }
}
