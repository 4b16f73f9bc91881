using System.Security.Cryptography;
using System.Text;
using Asl.Distributed.Contracts.V1;
using Grpc.Core;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The gRPC service a worker hosts for its left neighbour: checks the job secret, the sender and every chunk's
/// size, and hands chunks to the rank's <see cref="RingInbox"/>. A malformed stream fails the call and the inbox,
/// so the local all-reduce stops with an error instead of waiting.
/// </summary>
public sealed class CollectiveService(RingInbox inbox) : Collective.CollectiveBase
{
    /// <summary>The header that carries the job's shared secret.</summary>
    public const string SecretHeader = "asl-job-secret";

    public override async Task<RingAck> Ring(IAsyncStreamReader<RingChunk> requestStream, ServerCallContext context)
    {
        string offered = context.RequestHeaders.GetValue(SecretHeader) ?? "";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(inbox.Secret)))
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"rank {inbox.Rank}: the {SecretHeader} header does not match this job"));

        long chunks = 0;
        try
        {
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                var chunk = requestStream.Current;
                if (chunk.SenderRank != inbox.LeftRank)
                    throw Invalid($"accepts chunks only from rank {inbox.LeftRank}, not from rank {chunk.SenderRank}");
                if (chunk.Data.Length % sizeof(float) != 0 || chunk.Data.Length > inbox.MaxChunkFloats * sizeof(float))
                    throw Invalid($"received {chunk.Data.Length} bytes; allowed: a multiple of 4 up to {inbox.MaxChunkFloats * sizeof(float)}");
                await inbox.PostAsync(chunk.Tag, chunk.Data, context.CancellationToken).ConfigureAwait(false);
                chunks++;
            }
        }
        catch (Exception e) when (e is RpcException or IOException or OperationCanceledException)
        {
            inbox.Fail(e);
            throw;
        }
        return new RingAck { Chunks = chunks };
    }

    private RpcException Invalid(string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"rank {inbox.Rank} {problem}"));
}
