using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// A link stream that is a plain connection to the right neighbour's port (<see cref="RingTransport.Socket"/>), TLS
/// when configured, carrying <see cref="RingFrames"/>. A float32 chunk goes from its own memory (a tensor's storage)
/// straight to the kernel; a compressed one is encoded into a pooled buffer first. A send returns once the kernel has
/// the bytes. The receiver writes back only when it stops: an abort frame naming the lost rank, or a closed frame at
/// the end of its job; a connection that ends without either broke.
/// </summary>
internal sealed class SocketLinkStream : ILinkStream
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly byte[] _header = new byte[RingFrames.HeaderBytes];
    private readonly byte[] _heartbeat = new byte[RingFrames.HeaderBytes];
    private readonly Action<Exception> _broke;
    private readonly Task _replies;
    private CollectiveException? _stopped;
    private int _closing;
    private int _peerFinished;
    private int _heartbeatWaiting;

    private SocketLinkStream(Socket socket, Stream stream, Action<Exception> broke)
    {
        _socket = socket;
        _stream = stream;
        _broke = broke;
        RingFrames.Write(_heartbeat, new FrameHeader(FrameKind.Heartbeat, WireFormat.Float32, 0, 0, 0));
        _replies = Task.Run(ReadRepliesAsync);
    }

    /// <summary>Connects to <paramref name="right"/> and presents <paramref name="token"/>; TLS checks the peer's chain to the job's CA.</summary>
    public static async Task<SocketLinkStream> OpenAsync(DnsEndPoint right, byte[] token, PeerTls? tls, Action<Exception> broke, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(right, ct).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (tls is not null)
            {
                var ca = PeerChannels.LoadCertificate(tls.CaPath);
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = right.Host,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => PeerChannels.SignedBy(certificate, ca),
                }, ct).ConfigureAwait(false);
            }
            var opening = new byte[RingFrames.Preface.Length + RingFrames.TokenBytes];
            RingFrames.Preface.CopyTo(opening);
            token.CopyTo(opening.AsSpan(RingFrames.Preface.Length));
            await stream.WriteAsync(opening, ct).ConfigureAwait(false);
            return new SocketLinkStream(socket, stream, broke);
        }
        catch
        {
            if (stream is not null)
                await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<float> chunk, long sequence, long tag, WireFormat format, CancellationToken ct)
    {
        if (Volatile.Read(ref _stopped) is { } stopped)
            throw stopped;
        if (Volatile.Read(ref _peerFinished) == 1)
        {
            var finished = new IOException("the right neighbour has finished its job and closed the stream");
            _broke(finished);
            throw (Exception?)Volatile.Read(ref _stopped) ?? finished;
        }
        int bytes = chunk.Length * WireCodec.BytesPerElement(format);
        var header = new FrameHeader(FrameKind.Data, format, bytes, sequence, tag);
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Writes are not cancelled halfway, which would leave half a frame on the stream: a write finishes once
            // the kernel takes the bytes, or fails once the receiver, failing, closes the connection.
            if (format == WireFormat.Float32)
            {
                RingFrames.Write(_header, header);
                await _stream.WriteAsync(_header, CancellationToken.None).ConfigureAwait(false);
                using var pinned = chunk.Pin();
                using var payload = new PinnedBytes(pinned, bytes);
                await _stream.WriteAsync(payload.Memory, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                byte[] frame = ArrayPool<byte>.Shared.Rent(RingFrames.HeaderBytes + bytes);
                try
                {
                    RingFrames.Write(frame, header);
                    WireCodec.Encode(chunk.Span, frame.AsSpan(RingFrames.HeaderBytes, bytes), format);
                    await _stream.WriteAsync(frame.AsMemory(0, RingFrames.HeaderBytes + bytes), CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            await BrokeAfterRepliesAsync(e).ConfigureAwait(false);
            throw (Exception?)Volatile.Read(ref _stopped) ?? new IOException(e.Message, e);
        }
        finally
        {
            _writing.Release();
        }
    }

    public void TrySendHeartbeat()
    {
        // One heartbeat at most waits behind the write in progress (which may be the previous heartbeat, done on the
        // wire but not yet released): a stream stalled for long must not pile them up, nor may a beat get lost.
        if (Interlocked.Exchange(ref _heartbeatWaiting, 1) == 1)
            return;
        _ = HeartbeatAsync();
    }

    public void Stop(CollectiveException error) => Interlocked.CompareExchange(ref _stopped, error, null);

    public Task CloseAsync(CancellationToken grace)
    {
        // Everything sent is in the kernel, which delivers it before the end of the stream.
        Interlocked.Exchange(ref _closing, 1);
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closing, 1);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task HeartbeatAsync()
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        Volatile.Write(ref _heartbeatWaiting, 0);
        try
        {
            if (Volatile.Read(ref _closing) == 0)
                await _stream.WriteAsync(_heartbeat, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            await BrokeAfterRepliesAsync(e).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Reports a failed write only after the receiver's reply is read: a receiver that stops writes its abort (naming
    /// the lost rank) before it resets the connection, and that abort, not the reset, says which rank is lost. A reset
    /// connection ends the reply reader at once; the bound only guards against a reader that never ends.
    /// </summary>
    private async Task BrokeAfterRepliesAsync(Exception writeFailure)
    {
        await _replies.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _broke(writeFailure);
    }

    /// <summary>Waits for the receiver's only reply: an abort, a close at the end of its job, or the connection's end.</summary>
    private async Task ReadRepliesAsync()
    {
        var header = new byte[RingFrames.HeaderBytes];
        try
        {
            await _stream.ReadExactlyAsync(header).ConfigureAwait(false);
            var frame = RingFrames.Read(header);
            if (frame.Kind == FrameKind.Closed && frame.Length == 0)
            {
                Interlocked.Exchange(ref _peerFinished, 1);
                return;
            }
            if (frame.Kind != FrameKind.Abort || frame.Length is < sizeof(int) or > sizeof(int) + RingFrames.MaxReasonBytes)
                throw new IOException($"the receiver sent a frame of kind {(int)frame.Kind} with {frame.Length} bytes; allowed: ABORT (3), CLOSED (4)");
            var payload = new byte[frame.Length];
            await _stream.ReadExactlyAsync(payload).ConfigureAwait(false);
            var (lostRank, reason) = RingFrames.ReadAbort(payload);
            _broke(new RingAbortedException(lostRank, reason));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            if (Volatile.Read(ref _closing) == 0)
                _broke(e);
        }
    }
}
