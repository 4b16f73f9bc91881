using System.Net;
using System.Net.Sockets;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>Free loopback ports for ranks of a test job, and the "host:port" list the ranks join with.</summary>
internal static class PeerPorts
{
    public static string[] Loopback(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
            listener.Start();
        var peers = listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToArray();
        foreach (var listener in listeners)
            listener.Stop();
        return peers;
    }
}
