using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Kestrel connection middleware that takes the socket data streams (<see cref="RingTransport.Socket"/>) off the gRPC
/// port: a connection that starts with <see cref="RingFrames.Preface"/> is served by the <see cref="RingInbox"/>;
/// any other (HTTP/2) goes on to gRPC with nothing consumed. Behind TLS it sees the decrypted bytes.
/// </summary>
internal static class RingDataConnections
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(RingInbox inbox) => next => async connection =>
    {
        var input = connection.Transport.Input;
        var opening = await input.ReadAtLeastAsync(RingFrames.Preface.Length, connection.ConnectionClosed).ConfigureAwait(false);
        if (!StartsWithPreface(opening.Buffer))
        {
            input.AdvanceTo(opening.Buffer.Start);
            await next(connection).ConfigureAwait(false);
            return;
        }
        int openingBytes = RingFrames.Preface.Length + RingFrames.TokenBytes;
        // Nothing consumed or examined: the token may be in the bytes already read.
        input.AdvanceTo(opening.Buffer.Start);
        opening = await input.ReadAtLeastAsync(openingBytes, connection.ConnectionClosed).ConfigureAwait(false);
        if (opening.Buffer.Length < openingBytes)
            return;
        byte[] token = opening.Buffer.Slice(RingFrames.Preface.Length, RingFrames.TokenBytes).ToArray();
        input.AdvanceTo(opening.Buffer.GetPosition(openingBytes));
        await inbox.ServeDataStreamAsync(token, input, connection.Transport.Output).ConfigureAwait(false);
    };

    private static bool StartsWithPreface(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < RingFrames.Preface.Length)
            return false;
        Span<byte> first = stackalloc byte[RingFrames.Preface.Length];
        buffer.Slice(0, first.Length).CopyTo(first);
        return first.SequenceEqual(RingFrames.Preface);
    }
}
