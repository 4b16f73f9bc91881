using System.Security.Cryptography;
using System.Text;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The gRPC service a worker hosts for its left neighbour: checks the job secret, each stream's HELLO and every
/// chunk's sequence, size and format, and hands chunks to the rank's <see cref="RingInbox"/>. A malformed or broken
/// stream fails the call and the inbox, so the local collective stops with an error naming the neighbour instead of
/// waiting.
/// </summary>
public sealed class CollectiveService(RingInbox inbox) : Collective.CollectiveBase
{
    /// <summary>The header that carries the job's shared secret.</summary>
    public const string SecretHeader = "asl-job-secret";

    public override async Task<RingAck> Ring(IAsyncStreamReader<RingMessage> requestStream, ServerCallContext context)
    {
        CheckSecret(context);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, inbox.Closing);
        long messages = 0;
        try
        {
            if (!await requestStream.MoveNext(stop.Token).ConfigureAwait(false))
                return new RingAck();
            inbox.Attach(requestStream.Current, RingTransport.Grpc);
            int stream = requestStream.Current.StreamIndex;
            int streams = inbox.Options.Streams;
            long expected = stream;
            int maxBytes = inbox.Options.ChunkLength * sizeof(float);
            while (await requestStream.MoveNext(stop.Token).ConfigureAwait(false))
            {
                var message = requestStream.Current;
                messages++;
                if (message.Kind == RingMessageKind.Heartbeat)
                {
                    inbox.Touch();
                    continue;
                }
                if (message.Kind != RingMessageKind.Data)
                    throw Invalid($"sent {message.Kind} on stream {stream}; allowed after HELLO: DATA, HEARTBEAT");
                if (message.Sequence != expected)
                    throw Invalid($"sent message {message.Sequence} on stream {stream}; expected message {expected} (messages go round-robin over {streams} streams)");
                var format = (WireFormat)message.Element;
                if (!Enum.IsDefined(format))
                    throw Invalid($"sent element format {(int)message.Element}; allowed: {string.Join(", ", Enum.GetNames<WireFormat>())}");
                int unit = WireCodec.BytesPerElement(format);
                if (message.Data.Length % unit != 0 || message.Data.Length > maxBytes)
                    throw Invalid($"sent {message.Data.Length} bytes of {format}; allowed: a multiple of {unit} up to {maxBytes}");
                expected += streams;
                await inbox.PostAsync(stream, message, format, stop.Token).ConfigureAwait(false);
            }
            // The left neighbour closed its link. At the end of a job nothing waits for it any more; in the middle
            // of one, the rank that closed it is gone.
            if (!inbox.Closing.IsCancellationRequested)
                inbox.Fail(new CollectiveException(inbox.Rank, inbox.LeftRank, $"rank {inbox.LeftRank} closed its link and left the job"));
        }
        catch (CollectiveException e)
        {
            inbox.Fail(e);
            throw Ended(StatusCode.FailedPrecondition, e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            if (!inbox.Closing.IsCancellationRequested)
                inbox.Fail(new CollectiveException(inbox.Rank, inbox.LeftRank, $"the connection from rank {inbox.LeftRank} broke ({e.Message})", e));
            throw Ended(StatusCode.Unavailable, $"rank {inbox.Rank} stopped receiving: {inbox.Failure?.Message ?? e.Message}");
        }
        return new RingAck { Messages = messages };
    }

    public override Task<DataStreamGrant> OpenDataStream(RingMessage request, ServerCallContext context)
    {
        CheckSecret(context);
        try
        {
            return Task.FromResult(new DataStreamGrant { Token = Google.Protobuf.ByteString.CopyFrom(inbox.Grant(request)) });
        }
        catch (CollectiveException e)
        {
            inbox.Fail(e);
            throw Ended(StatusCode.FailedPrecondition, e.Message);
        }
    }

    public override Task<AbortReply> Abort(AbortRequest request, ServerCallContext context)
    {
        CheckSecret(context);
        string reason = request.SenderRank == request.LostRank
            ? $"rank {request.SenderRank} failed: {request.Reason}"
            : $"reported by rank {request.SenderRank}: {request.Reason}";
        inbox.Fail(new CollectiveException(inbox.Rank, request.LostRank, reason));
        return Task.FromResult(new AbortReply());
    }

    /// <summary>The trailer naming the rank that is lost, so the sender reports that rank rather than this one.</summary>
    public const string LostRankTrailer = "asl-lost-rank";

    /// <summary>The trailer with the failure's reason (UTF-8).</summary>
    public const string ReasonTrailer = "asl-reason-bin";

    private RpcException Ended(StatusCode code, string detail)
    {
        var trailers = new Metadata();
        if (inbox.Failure is { } failure)
        {
            trailers.Add(LostRankTrailer, failure.LostRank.ToString(System.Globalization.CultureInfo.InvariantCulture));
            trailers.Add(ReasonTrailer, Encoding.UTF8.GetBytes(failure.Reason));
        }
        return new RpcException(new Status(code, detail), trailers);
    }

    private void CheckSecret(ServerCallContext context)
    {
        string offered = context.RequestHeaders.GetValue(SecretHeader) ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(inbox.Secret)))
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"rank {inbox.Rank}: the {SecretHeader} header does not match this job"));
    }

    private CollectiveException Invalid(string problem) => new(inbox.Rank, inbox.LeftRank, $"rank {inbox.LeftRank} {problem}");
}
