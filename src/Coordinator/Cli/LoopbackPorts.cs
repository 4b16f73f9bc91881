using System.Net;
using System.Net.Sockets;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>Free TCP ports on loopback, for the embedded coordinator's silo and the local workers' peer services.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port the system has just handed out and taken back; free unless another program takes it first.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
