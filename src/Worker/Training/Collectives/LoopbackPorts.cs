using System.Net;
using System.Net.Sockets;

namespace Asl.Distributed.Training.Collectives;

/// <summary>Free ports on 127.0.0.1 for the ranks of a local job (the launcher, tests and benchmarks).</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// Binds <paramref name="count"/> listeners on port 0 at once, so the ports are distinct, then releases them. As
    /// with torchrun, another process may take one before its rank binds it.
    /// </summary>
    public static int[] Free(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var listeners = new List<TcpListener>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Dispose();
        }
    }

    /// <summary>The <c>--peers</c> list of <paramref name="count"/> free loopback ports: 127.0.0.1:p0, ….</summary>
    public static string[] Peers(int count) => Free(count).Select(p => $"127.0.0.1:{p}").ToArray();
}
