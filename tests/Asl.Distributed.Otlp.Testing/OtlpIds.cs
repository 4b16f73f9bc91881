using Google.Protobuf;

namespace Asl.Distributed.Otlp.Testing;

/// <summary>OTLP carries trace and span ids as raw bytes; .NET's Activity writes them as lowercase hex.</summary>
public static class OtlpIds
{
    /// <summary>The id as lowercase hex (empty for an empty id, as a root span's parent).</summary>
    public static string Hex(ByteString id) => Convert.ToHexStringLower(id.Span);
}
