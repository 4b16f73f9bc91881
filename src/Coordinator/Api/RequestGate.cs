using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Asl.Distributed.Coordinator.Api;

/// <summary>
/// Runs in front of every gRPC call: checks the bearer token (<see cref="CallAccess"/>), then, for the methods that
/// take one request message, that the body is that message. grpc-dotnet reads the request before any interceptor
/// runs and answers bytes that are not the message with UNKNOWN ("Exception was thrown by handler"); here the call
/// fails with UNAUTHENTICATED first when the token is wrong, and otherwise with INVALID_ARGUMENT naming the message
/// type and what the parser found. The body is only looked at, never consumed: the service reads it afterwards.
/// </summary>
public sealed class RequestGate(RequestDelegate next, AccessTokens tokens)
{
    /// <summary>The largest request message the services accept (grpc-dotnet's receive limit is set from it).</summary>
    public const int MaxRequestMessageBytes = 4 << 20;

    private const int FrameHeaderBytes = 5;

    /// <summary>Lets the call through or answers it with the status it fails with.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }

        string path = context.Request.Path.Value ?? "";
        var refusal = CallAccess.Refusal(path, context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, tokens)
            ?? await MessageRefusal(context, path);
        if (refusal is { } status)
        {
            Answer(context.Response, status);
            return;
        }

        await next(context);
    }

    /// <summary>INVALID_ARGUMENT when the one request frame of a known method holds bytes that are not its message.</summary>
    private static async Task<Status?> MessageRefusal(HttpContext context, string path)
    {
        var type = RequestShapes.Of(path);
        if (type is null)
            return null;
        var reader = context.Request.BodyReader;
        var read = await reader.ReadAsync(context.RequestAborted);
        while (!read.IsCompleted && read.Buffer.Length <= FrameHeaderBytes + MaxRequestMessageBytes)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await reader.ReadAsync(context.RequestAborted);
        }

        var body = read.Buffer;
        if (!read.IsCompleted)
            return await OversizeRefusal(reader, read);
        Status? refusal = null;
        // Anything but one whole uncompressed frame within the limit is left to grpc-dotnet, which names those cases.
        if (read.IsCompleted && body.Length >= FrameHeaderBytes && body.FirstSpan[0] == 0)
        {
            Span<byte> header = stackalloc byte[FrameHeaderBytes];
            body.Slice(0, FrameHeaderBytes).CopyTo(header);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
            if (length <= MaxRequestMessageBytes && body.Length == FrameHeaderBytes + length)
            {
                try
                {
                    type.Parser.ParseFrom(body.Slice(FrameHeaderBytes));
                }
                catch (InvalidProtocolBufferException e)
                {
                    refusal = new Status(StatusCode.InvalidArgument, $"the request is not a valid {type.FullName}: {e.Message}");
                }
            }
        }

        // Nothing consumed and nothing marked examined: the service's own read sees the same bytes at once.
        reader.AdvanceTo(body.Start);
        return refusal;
    }

    /// <summary>
    /// RESOURCE_EXHAUSTED for a request whose message is larger than the limit, once its body has been read to the end
    /// and dropped: answering while the client still sends would reset the stream, and the client would see the reset
    /// (UNAVAILABLE) instead of the answer. Kestrel bounds what is read (its request body limit, 8 MiB); above that the
    /// read fails and the stream is reset anyway.
    /// </summary>
    private static async Task<Status?> OversizeRefusal(PipeReader reader, ReadResult read)
    {
        long received = read.Buffer.Length;
        try
        {
            while (!read.IsCompleted)
            {
                reader.AdvanceTo(read.Buffer.End);
                read = await reader.ReadAsync();
                received += read.Buffer.Length;
            }
            reader.AdvanceTo(read.Buffer.End);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // Larger than Kestrel takes: the stream ends with Kestrel's own error.
            return null;
        }
        return new Status(StatusCode.ResourceExhausted,
            string.Create(CultureInfo.InvariantCulture, $"the request carries {received} bytes; allowed: one message of at most {MaxRequestMessageBytes} bytes"));
    }

    /// <summary>A trailers-only gRPC answer: the status in the response headers and no body.</summary>
    private static void Answer(HttpResponse response, Status status)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncoded(status.Detail);
    }

    /// <summary>The grpc-message encoding: UTF-8, with '%' and every byte outside printable ASCII as %XX.</summary>
    private static string PercentEncoded(string text)
    {
        var encoded = new StringBuilder(text.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
                encoded.Append((char)b);
            else
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return encoded.ToString();
    }
}
