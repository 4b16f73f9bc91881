using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>A throw-away CA and a rank certificate it signed, written as PEM files.</summary>
internal static class TestCertificates
{
    public static PeerTls Write(string folder, string name)
    {
        // One clock reading for both: the rank's validity must lie inside the CA's, which a second reading of the clock
        // a second later broke (notAfter one second past the issuer's).
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name}-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));

        using var rankKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rankRequest = new CertificateRequest($"CN={name}-rank", rankKey, HashAlgorithmName.SHA256);
        rankRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        rankRequest.CertificateExtensions.Add(san.Build());
        using var rank = rankRequest.Create(ca, now.AddDays(-1), now.AddDays(1), [1, 2, 3, 4]);

        var tls = new PeerTls(Path.Combine(folder, $"{name}.pem"), Path.Combine(folder, $"{name}.key"), Path.Combine(folder, $"{name}-ca.pem"));
        File.WriteAllText(tls.CertificatePath, rank.ExportCertificatePem());
        File.WriteAllText(tls.KeyPath, rankKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(tls.CaPath, ca.ExportCertificatePem());
        return tls;
    }
}
