using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Asl.Distributed.Training.Collectives;

/// <summary>Client channels from one rank to another: HTTP/2, wide flow-control windows, TLS when configured.</summary>
internal static class PeerChannels
{
    /// <summary>Flow-control window of streams and connections: a chunk stream should never stall on it.</summary>
    public const int WindowBytes = 16 << 20;

    /// <summary>A channel with its own connection (one per stream, so streams do not share a socket).</summary>
    public static GrpcChannel Create(Uri address, CollectiveOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = WindowBytes,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (options.Tls is { } tls)
        {
            var ca = LoadCertificate(tls.CaPath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                // Ranks are addressed by IP inside a cluster; their identity is the job's CA (and the job secret), not
                // a host name, so a chain to that CA is what is checked.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => SignedBy(certificate, ca),
            };
        }
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxSendMessageSize = options.ChunkLength * sizeof(float) + 1024,
            MaxReceiveMessageSize = 1 << 20,
            HttpHandler = handler,
            // While ranks start, a neighbour's port may refuse for a moment: retry soon rather than back off for
            // seconds (the default backoff would let a rendezvous run out while the neighbour is already up).
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(50),
            MaxReconnectBackoff = TimeSpan.FromMilliseconds(500),
        });
    }

    /// <summary>The first certificate of a PEM file (no private key expected).</summary>
    public static X509Certificate2 LoadCertificate(string pemPath)
    {
        string pem = File.ReadAllText(pemPath);
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "CERTIFICATE")
            throw new CryptographicException($"{pemPath} holds no PEM CERTIFICATE block");
        return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
    }

    /// <summary>Loads every TLS file once, so a bad one fails at start with the config field named.</summary>
    public static void Check(PeerTls tls)
    {
        Try("distributed.tls_ca", tls.CaPath, () => LoadCertificate(tls.CaPath).Dispose());
        Try("distributed.tls_cert", tls.CertificatePath, () => X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath).Dispose());
    }

    private static void Try(string field, string path, Action load)
    {
        try
        {
            load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new Configuration.ConfigException(field, $"'{path}' cannot be used: {e.Message}; allowed: a readable PEM file (tls_cert with its tls_key, tls_ca the CA certificate)");
        }
    }

    /// <summary>Whether a peer presented a certificate that chains to <paramref name="ca"/> and nothing else.</summary>
    public static bool SignedBy(X509Certificate? certificate, X509Certificate2 ca) =>
        certificate is not null && SignedBy(certificate as X509Certificate2 ?? new X509Certificate2(certificate), ca);

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> and nothing else.</summary>
    public static bool SignedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
