using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Asl.Distributed.Security;

/// <summary>
/// A private CA that an https server's certificate must chain to (an option such as <c>--tls-ca</c>), for clients
/// of the coordinator: the worker agent and the <c>asl</c> command line.
/// </summary>
public static class PrivateCa
{
    /// <summary>The certificates of the PEM file at <paramref name="path"/>; throws <see cref="ArgumentException"/> when it holds none.</summary>
    public static X509Certificate2Collection Load(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates.Count > 0 ? certificates : throw new ArgumentException($"'{path}' holds no PEM CERTIFICATE block");
    }

    /// <summary>
    /// Client TLS options that trust only <paramref name="ca"/> as a root. The server is addressed by name, so its
    /// name is checked as usual; revocation is not checked (a private CA publishes no revocation lists).
    /// </summary>
    public static SslClientAuthenticationOptions ClientOptions(X509Certificate2Collection ca)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(ca);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }
}
