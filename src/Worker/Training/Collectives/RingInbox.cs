using System.IO.Pipelines;
using System.Threading.Channels;
using Asl.Distributed.Contracts.V1;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The receiving end of one rank's ring link. With <see cref="RingTransport.Grpc"/> the left neighbour's streams post
/// chunks here, each stream into its own bounded queue (so a fast sender cannot grow memory without limit); socket
/// data streams are read in RingInbox.DataStreams.cs. The rank's collectives take chunks in the link's message order,
/// which round-robins over the streams. A watchdog fails the inbox, naming the left neighbour, when a receive has
/// waited longer than the peer timeout without hearing anything from it (before the neighbour's first stream
/// arrived, the rendezvous timeout applies instead).
/// </summary>
public sealed partial class RingInbox : IDisposable
{
    private readonly Channel<(long Sequence, long Tag, WireFormat Format, Google.Protobuf.ByteString Data)>[] _queues;
    private readonly bool[] _attached;
    private readonly byte[]?[] _tokens;
    private readonly TaskCompletionSource<PipeReader>[] _pipes;
    private readonly TimeProvider _time;
    private readonly ITimer _watchdog;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _sync = new();
    private readonly long _started;
    private long _nextSequence;
    private long _lastHeard;
    private long _waitingSince;
    private int _attachedCount;
    private CollectiveException? _failure;

    public RingInbox(int rank, int worldSize, string secret, CollectiveOptions options)
    {
        options.Validate();
        Rank = rank;
        WorldSize = worldSize;
        LeftRank = (rank + worldSize - 1) % worldSize;
        Secret = secret;
        Options = options;
        _time = options.TimeProvider;
        _started = _time.GetTimestamp();
        _queues = new Channel<(long, long, WireFormat, Google.Protobuf.ByteString)>[options.Streams];
        for (int s = 0; s < options.Streams; s++)
        {
            _queues[s] = Channel.CreateBounded<(long, long, WireFormat, Google.Protobuf.ByteString)>(
                new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, SingleWriter = true });
        }
        _attached = new bool[options.Streams];
        _tokens = new byte[options.Streams][];
        _pipes = new TaskCompletionSource<PipeReader>[options.Streams];
        for (int s = 0; s < options.Streams; s++)
            _pipes[s] = new TaskCompletionSource<PipeReader>(TaskCreationOptions.RunContinuationsAsynchronously);
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(20).Ticks, options.HeartbeatInterval.Ticks / 2));
        _watchdog = _time.CreateTimer(_ => CheckSilence(), null, period, period);
    }

    public int Rank { get; }

    public int WorldSize { get; }

    public int LeftRank { get; }

    public CollectiveOptions Options { get; }

    internal string Secret { get; }

    /// <summary>Cancelled when the inbox fails or closes: stream handlers stop reading then.</summary>
    internal CancellationToken Closing => _closing.Token;

    /// <summary>The error that ended the inbox, if any.</summary>
    public CollectiveException? Failure => Volatile.Read(ref _failure);

    /// <summary>Raised once, on the thread that failed the inbox, so the link can tell its right neighbour.</summary>
    internal event Action<CollectiveException>? Failed;

    /// <summary>
    /// Registers a stream from its HELLO sent over <paramref name="transport"/>; throws a <see cref="CollectiveException"/>
    /// if it is not acceptable.
    /// </summary>
    internal void Attach(RingMessage hello, RingTransport transport) => Attach(hello, transport, again: _ => false);

    /// <summary>As <see cref="Attach(RingMessage, RingTransport)"/>; a stream already attached may attach again where <paramref name="again"/> says so (called under the lock).</summary>
    private void Attach(RingMessage hello, RingTransport transport, Func<int, bool> again)
    {
        if (transport != Options.Transport)
            throw Protocol($"sends chunks over {transport} but rank {Rank} receives them over {Options.Transport}; distributed.transport must match on every rank");
        if (hello.Kind != RingMessageKind.Hello)
            throw Protocol($"opened a stream with {hello.Kind} instead of HELLO");
        if (hello.SenderRank != LeftRank)
            throw new CollectiveException(Rank, hello.SenderRank, $"accepts streams only from its left neighbour rank {LeftRank}, not from rank {hello.SenderRank}");
        if (hello.WorldSize != WorldSize)
            throw Protocol($"runs with world size {hello.WorldSize} but rank {Rank} with {WorldSize}; every rank must be started with the same --world-size");
        lock (_sync)
        {
            int stream = hello.StreamIndex;
            if (stream < 0 || stream >= _attached.Length || (_attached[stream] && !again(stream)))
                throw Protocol($"opened stream {stream}; allowed: each of 0..{_attached.Length - 1} once (distributed.streams must match on every rank)");
            if (!_attached[stream])
            {
                _attached[stream] = true;
                _attachedCount++;
            }
        }
        Touch();
    }

    /// <summary>Records that the left neighbour is alive (any message, heartbeats included).</summary>
    internal void Touch() => Volatile.Write(ref _lastHeard, _time.GetTimestamp());

    /// <summary>When the left neighbour was last heard from, a timestamp of <see cref="CollectiveOptions.TimeProvider"/> (0: never).</summary>
    internal long LastHeard => Volatile.Read(ref _lastHeard);

    /// <summary>Queues one received chunk of stream <paramref name="streamIndex"/>, waiting while that queue is full.</summary>
    internal ValueTask PostAsync(int streamIndex, RingMessage message, WireFormat format, CancellationToken ct)
    {
        Touch();
        return _queues[streamIndex].Writer.WriteAsync((message.Sequence, message.Tag, format, message.Data), ct);
    }

    /// <summary>Ends the inbox with <paramref name="error"/>; every waiting and later receive throws it. The first failure wins.</summary>
    internal CollectiveException Fail(CollectiveException error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is { } first)
            return first;
        // The link passes the failure on before any waiting collective sees it, so a rank that exits right after
        // has already told its neighbour which rank is lost.
        Failed?.Invoke(error);
        foreach (var queue in _queues)
            queue.Writer.TryComplete(error);
        _closing.Cancel();
        return error;
    }

    /// <summary>Takes the next chunk into <paramref name="destination"/> (overwriting or adding); checks its tag, format and length.</summary>
    internal ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        long sequence = _nextSequence++;
        int stream = (int)(sequence % _queues.Length);
        return Options.Transport == RingTransport.Socket
            ? ReceiveFromPipeAsync(stream, sequence, destination, tag, format, accumulation, ct)
            : ReceiveFromQueueAsync(stream, sequence, destination, tag, format, accumulation, ct);
    }

    private async ValueTask ReceiveFromQueueAsync(int stream, long sequence, Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        var queue = _queues[stream];
        (long Sequence, long Tag, WireFormat Format, Google.Protobuf.ByteString Data) chunk;
        if (!queue.Reader.TryRead(out chunk))
        {
            Volatile.Write(ref _waitingSince, _time.GetTimestamp());
            try
            {
                chunk = await queue.Reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (ChannelClosedException e)
            {
                throw e.InnerException as CollectiveException ?? new CollectiveException(Rank, LeftRank, "the link from the left neighbour is closed");
            }
            finally
            {
                Volatile.Write(ref _waitingSince, 0);
            }
        }
        Check(sequence, tag, format, destination.Length, new FrameHeader(FrameKind.Data, chunk.Format, chunk.Data.Length, chunk.Sequence, chunk.Tag));
        // The message's bytes are owned by the received message: decoded once, straight into place.
        WireCodec.Apply(chunk.Data.Span, destination.Span, format, accumulation);
    }

    /// <summary>Fails the inbox unless <paramref name="received"/> is the chunk the collective expects.</summary>
    private void Check(long sequence, long tag, WireFormat format, int length, FrameHeader received)
    {
        int bytes = length * WireCodec.BytesPerElement(format);
        if (received.Sequence == sequence && received.Tag == tag && received.Format == format && received.Length == bytes)
            return;
        throw Fail(new CollectiveException(Rank, LeftRank,
            $"expected message {sequence} (collective {tag >> 16}, step {tag & 0xFFFF}) with {length} {format} values " +
            $"but received message {received.Sequence} (collective {received.Tag >> 16}, step {received.Tag & 0xFFFF}) with {received.Length} bytes of {received.Format}"));
    }

    /// <summary>Stops the watchdog and the stream handlers (end of the job).</summary>
    public void Dispose()
    {
        _watchdog.Dispose();
        foreach (var queue in _queues)
            queue.Writer.TryComplete();
        _closing.Cancel();
    }

    private void CheckSilence()
    {
        long waitingSince = Volatile.Read(ref _waitingSince);
        if (waitingSince == 0 || Failure is not null)
            return;
        bool joined = Volatile.Read(ref _attachedCount) > 0;
        long heard = Math.Max(Volatile.Read(ref _lastHeard), waitingSince);
        var silent = _time.GetElapsedTime(heard);
        var limit = joined ? Options.PeerTimeout : Options.RendezvousTimeout - _time.GetElapsedTime(_started, waitingSince);
        if (silent < limit)
            return;
        Fail(joined
            ? new CollectiveException(Rank, LeftRank, $"rank {LeftRank} sent nothing, not even a heartbeat, for {silent.TotalSeconds:F1} s (collective timeout {Options.PeerTimeout.TotalSeconds:G} s)")
            : new CollectiveException(Rank, LeftRank, $"rank {LeftRank} never connected within the rendezvous timeout of {Options.RendezvousTimeout.TotalSeconds:G} s"));
    }

    private CollectiveException Protocol(string problem) => new(Rank, LeftRank, $"rank {LeftRank} {problem}");
}
