using System.IO.Pipelines;
using System.Security.Cryptography;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The socket data streams of <see cref="RingInbox"/> (<see cref="RingTransport.Socket"/>): each granted stream attaches
/// its connection's input pipe, whose pause threshold bounds memory, and a receive decodes the chunk straight from the
/// pipe's buffers into place.
/// </summary>
public sealed partial class RingInbox
{
    /// <summary>Registers a socket data stream from its HELLO and returns the one-time token its connection must present.</summary>
    internal byte[] Grant(RingMessage hello)
    {
        // A sender whose data connection failed after its grant asks again: the unused grant is replaced.
        Attach(hello, RingTransport.Socket, again: s => _tokens[s] is not null && !_pipes[s].Task.IsCompleted);
        byte[] token = RandomNumberGenerator.GetBytes(RingFrames.TokenBytes);
        lock (_sync)
            _tokens[hello.StreamIndex] = token;
        return token;
    }

    /// <summary>
    /// Serves a data connection that presented <paramref name="token"/>: its input becomes the granted stream's source
    /// until the inbox closes; a failure is then written back to the sender as an abort frame naming the lost rank.
    /// </summary>
    internal async Task ServeDataStreamAsync(ReadOnlyMemory<byte> token, PipeReader input, PipeWriter output)
    {
        int stream = -1;
        lock (_sync)
        {
            for (int s = 0; s < _tokens.Length; s++)
            {
                if (_tokens[s] is { } granted && CryptographicOperations.FixedTimeEquals(granted, token.Span))
                {
                    stream = s;
                    _tokens[s] = null; // one connection per grant
                }
            }
        }
        if (stream < 0)
        {
            await WriteLastAsync(output, RingFrames.Abort(Rank, $"rank {Rank} granted no data stream to this token; open one with OpenDataStream first")).ConfigureAwait(false);
            return;
        }
        Touch();
        if (!_pipes[stream].TrySetResult(input))
        {
            await WriteLastAsync(output, RingFrames.Abort(Rank, $"rank {Rank} already has a connection for data stream {stream}")).ConfigureAwait(false);
            return;
        }
        try
        {
            await Task.Delay(Timeout.Infinite, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The job is over or failed.
        }
        await WriteLastAsync(output, Failure is { } failure ? RingFrames.Abort(failure.LostRank, failure.Reason) : RingFrames.Closed()).ConfigureAwait(false);
    }

    private static async Task WriteLastAsync(PipeWriter output, byte[] frame)
    {
        try
        {
            await output.WriteAsync(frame).AsTask().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            // The sender is gone; it will learn from its own side.
        }
    }

    private async ValueTask ReceiveFromPipeAsync(int stream, long sequence, Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _closing.Token);
        Volatile.Write(ref _waitingSince, _time.GetTimestamp());
        try
        {
            var pipe = await _pipes[stream].Task.WaitAsync(stop.Token).ConfigureAwait(false);
            var header = await ReadHeaderAsync(pipe, stream, stop.Token).ConfigureAwait(false);
            Check(sequence, tag, format, destination.Length, header);
            // Decode as the bytes arrive, from the pipe's own buffers: the only other copy is the kernel's.
            int unit = WireCodec.BytesPerElement(format);
            int remaining = header.Length;
            int decoded = 0;
            while (remaining > 0)
            {
                var result = await pipe.ReadAsync(stop.Token).ConfigureAwait(false);
                Touch();
                long available = Math.Min(result.Buffer.Length, remaining);
                int take = (int)(available - available % unit);
                if (take == 0)
                {
                    if (result.IsCompleted)
                        throw new IOException($"the stream ended {remaining} bytes into a chunk");
                    pipe.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    continue;
                }
                RingFrames.Decode(result.Buffer.Slice(0, take), destination.Span.Slice(decoded, take / unit), format, accumulation);
                pipe.AdvanceTo(result.Buffer.GetPosition(take));
                decoded += take / unit;
                remaining -= take;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (ct.IsCancellationRequested && Failure is null)
                throw;
            if (Failure is null)
                Fail(new CollectiveException(Rank, LeftRank, $"the connection from rank {LeftRank} broke ({e.Message})", e));
            throw Failure!;
        }
        finally
        {
            Volatile.Write(ref _waitingSince, 0);
        }
    }

    /// <summary>The next DATA header of a socket stream; heartbeats are taken on the way.</summary>
    private async ValueTask<FrameHeader> ReadHeaderAsync(PipeReader pipe, int stream, CancellationToken ct)
    {
        while (true)
        {
            var result = await pipe.ReadAtLeastAsync(RingFrames.HeaderBytes, ct).ConfigureAwait(false);
            Touch();
            if (result.Buffer.Length < RingFrames.HeaderBytes)
                throw new IOException(result.Buffer.IsEmpty ? $"rank {LeftRank} closed data stream {stream}" : "the stream ended inside a frame header");
            var header = RingFrames.Read(result.Buffer);
            pipe.AdvanceTo(result.Buffer.GetPosition(RingFrames.HeaderBytes));
            if (header.Kind == FrameKind.Heartbeat && header.Length == 0)
                continue;
            if (header.Kind != FrameKind.Data)
                throw Fail(Protocol($"sent a frame of kind {(int)header.Kind} and {header.Length} bytes on data stream {stream}; allowed: DATA (1), HEARTBEAT (2) without payload"));
            return header;
        }
    }
}
