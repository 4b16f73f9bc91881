using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Worker.Tests.Agent.TestHub;

namespace Asl.Distributed.Worker.Tests.Agent;

/// <summary>An https coordinator whose certificate a private CA signed: the agent trusts it with --tls-ca, and not without.</summary>
public sealed class CoordinatorTlsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"asl-tls-{Guid.NewGuid():N}");

    public CoordinatorTlsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Join_HttpsCoordinatorSignedByTheGivenCa_RegistersAndWithoutTheCaDoesNot()
    {
        var (caPem, certificate) = IssueCertificates();
        using (certificate)
        {
            var hub = new StandInHub();
            await using var server = await StandInHubServer.StartAsync(hub, certificate: certificate);
            Assert.Equal("https", server.Address.Scheme);

            await using var trusting = new InProcessAgent(server, "trusting", o => o with { TlsCaPath = caPem });
            await Hang.Guard(hub.WaitForAsync<AssignmentsRequest>(r => r.WorkerId == "trusting"), "the trusting agent's order stream");

            await using var doubting = new InProcessAgent(server, "doubting");
            string refused = await doubting.WaitForLineAsync(l => l.Contains($"coordinator {server.Address} unavailable", StringComparison.Ordinal));
            Assert.Contains("The SSL connection could not be established", refused);
            Assert.DoesNotContain(hub.Requests<RegisterWorkerRequest>(), r => r.WorkerId == "doubting");
        }
    }

    /// <summary>A CA (its certificate written as PEM) and a server certificate for 127.0.0.1 that it signed.</summary>
    private (string CaPem, X509Certificate2 Server) IssueCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=asl test coordinator CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        string caPem = Path.Combine(_folder, "ca.pem");
        File.WriteAllText(caPem, ca.ExportCertificatePem());

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(1), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        // Kestrel wants a certificate whose key it can use for the handshake: round-trip through PKCS#12.
        return (caPem, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }
}
