using System.Net;
using System.Text;

namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// A worker's name and address: the default worker id (host name and peer port, so the same agent restarted on the
/// same host is the same worker), the id's allowed form, and the peer endpoint peers dial.
/// </summary>
public static class WorkerIdentity
{
    /// <summary>The port of the collective service unless told otherwise (torchrun's default master port).</summary>
    public const int DefaultPeerPort = 29500;

    public const int MaxIdLength = 128;

    private static readonly System.Buffers.SearchValues<char> AllowedCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

    /// <summary>This machine's host name.</summary>
    public static string MachineName => Dns.GetHostName();

    /// <summary>host-port with every character the coordinator refuses replaced by '-': stable across restarts.</summary>
    public static string DefaultId(string host, int peerPort)
    {
        var id = new StringBuilder();
        foreach (char c in $"{host}-{peerPort}")
            id.Append(IsAllowed(c) ? c : '-');
        return id.Length <= MaxIdLength ? id.ToString() : id.ToString(id.Length - MaxIdLength, MaxIdLength);
    }

    /// <summary>Null when <paramref name="id"/> is a valid worker id, else the problem with the allowed form.</summary>
    public static string? Check(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
            return $"'{id}' has {id.Length} characters; allowed: 1 to {MaxIdLength} letters, digits, '.', '-', '_'";
        int bad = id.AsSpan().IndexOfAnyExcept(AllowedCharacters);
        return bad < 0 ? null : $"'{id}' holds '{id[bad]}'; allowed: 1 to {MaxIdLength} letters, digits, '.', '-', '_'";
    }

    /// <summary>host:port, an IPv6 address in brackets.</summary>
    public static string Endpoint(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

}
