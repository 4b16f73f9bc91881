using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Kestrel connection middleware that takes the socket data streams (<see cref="RingTransport.Socket"/>) off the gRPC
/// port: a connection that opens with <see cref="RingFrames.Preface"/> and a token is served by the
/// <see cref="RingInbox"/>; one that opens with the HTTP/2 client preface goes on to gRPC with nothing consumed; one
/// that starts with anything else is closed. Behind TLS it sees the decrypted bytes. Until a connection has sent a
/// whole preface nobody knows who it is, so it gets <see cref="CollectiveOptions.PrefaceTimeout"/> to send it and is
/// closed after that (a rank's sender, like any HTTP/2 client, sends its preface at once); and at most
/// <see cref="CollectiveOptions.MaxPendingDataConnections"/> begun data prefaces may wait for their rest at once, one
/// more is closed at once. Neither a connection that has sent nothing yet nor a begun HTTP/2 preface counts there: the
/// first may be a gRPC client whose preface is on its way, and counting either would let idle sockets lock the job's
/// own gRPC calls out; the timeout alone bounds them.
/// </summary>
internal sealed class RingDataConnections(RingInbox inbox)
{
    private readonly TimeProvider _time = inbox.Options.TimeProvider;
    private readonly TimeSpan _timeout = inbox.Options.PrefaceTimeout;
    private readonly int _maxPending = inbox.Options.MaxPendingDataConnections;
    private int _opening;
    private int _pending;

    /// <summary>What a connection turned out to be.</summary>
    private enum Kind
    {
        Closed,
        Http2,
        Data,
    }

    /// <summary>Connections that have not yet sent a whole preface (HTTP/2's, or the data stream's with its token).</summary>
    public int Opening => Volatile.Read(ref _opening);

    /// <summary>Connections that began a data preface and wait for its rest: the ones the cap counts.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>What every HTTP/2 client sends first (RFC 9113, section 3.4).</summary>
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private static int DataOpeningBytes => RingFrames.Preface.Length + RingFrames.TokenBytes;

    /// <summary>The middleware, in front of <paramref name="next"/> (Kestrel's HTTP/2).</summary>
    public ConnectionDelegate Use(ConnectionDelegate next) => connection => ServeAsync(connection, next);

    private async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        Kind kind;
        byte[]? token;
        using (var deadline = new CancellationTokenSource(_timeout, _time))
        {
            Interlocked.Increment(ref _opening);
            try
            {
                (kind, token) = await ReadOpeningAsync(input, deadline.Token, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return; // the preface timeout, or the peer left: Kestrel closes the connection once this returns
            }
            finally
            {
                Interlocked.Decrement(ref _opening);
            }
        }
        if (kind == Kind.Http2)
            await next(connection).ConfigureAwait(false);
        else if (kind == Kind.Data)
            await inbox.ServeDataStreamAsync(token!, input, connection.Transport.Output).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads until the connection has sent a whole preface: HTTP/2's, with nothing consumed, or the data stream's,
    /// consumed with its token (returned). Closed: it ended early, began neither, or would exceed the cap.
    /// </summary>
    private async Task<(Kind Kind, byte[]? Token)> ReadOpeningAsync(PipeReader input, CancellationToken deadline, CancellationToken closed)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline, closed);
        bool counted = false;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (StartsLike(buffer, Http2Preface))
                {
                    if (buffer.Length >= Http2Preface.Length)
                    {
                        input.AdvanceTo(buffer.Start);
                        return (Kind.Http2, null);
                    }
                }
                else if (StartsLike(buffer, RingFrames.Preface))
                {
                    if (buffer.Length >= DataOpeningBytes)
                    {
                        byte[] token = buffer.Slice(RingFrames.Preface.Length, RingFrames.TokenBytes).ToArray();
                        input.AdvanceTo(buffer.GetPosition(DataOpeningBytes));
                        return (Kind.Data, token);
                    }
                    if (!counted)
                    {
                        if (!TryCount())
                            return (Kind.Closed, null);
                        counted = true;
                    }
                }
                else
                {
                    return (Kind.Closed, null);
                }
                if (result.IsCompleted || result.IsCanceled)
                    return (Kind.Closed, null);
                input.AdvanceTo(buffer.Start, buffer.End); // nothing consumed, all seen: wait for more
            }
        }
        finally
        {
            if (counted)
                Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Counts one more begun data preface unless the cap is reached.</summary>
    private bool TryCount()
    {
        int pending = Volatile.Read(ref _pending);
        while (pending < _maxPending)
        {
            int seen = Interlocked.CompareExchange(ref _pending, pending + 1, pending);
            if (seen == pending)
                return true;
            pending = seen;
        }
        return false;
    }

    /// <summary>Whether <paramref name="buffer"/> is non-empty and its bytes, up to the preface's length, agree with <paramref name="preface"/>.</summary>
    private static bool StartsLike(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> preface)
    {
        if (buffer.IsEmpty)
            return false;
        Span<byte> first = stackalloc byte[preface.Length];
        int length = (int)Math.Min(buffer.Length, first.Length);
        buffer.Slice(0, length).CopyTo(first);
        return first[..length].SequenceEqual(preface[..length]);
    }
}
