using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Cli;
using Asl.Distributed.Coordinator.Hosting;
using Asl.Distributed.Security;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary>
/// <c>asl serve --tls-cert --tls-key</c> with a certificate a private CA signed: a real agent joins over https with
/// <c>--tls-ca</c>, and the <c>asl</c> command line reaches it with <c>--tls-ca</c> and is refused without it.
/// </summary>
public sealed class ServeTlsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-serve-tls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Serve_WithTls_AgentAndCliTrustingTheCaConnectAndTheCliWithoutItIsRefused()
    {
        var (cert, key, ca) = IssueCertificates();
        string dir = Path.Combine(_folder, "coordinator");
        using var serve = new RunningProcess(Programs.Start(Programs.Asl, _folder, "serve", "--dir", dir, "--port", "0",
            "--silo-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture), "--tls-cert", cert, "--tls-key", key));
        string url = (await serve.WaitForLine("coordinator listening on")).Split(' ')[4];
        Assert.StartsWith("https://", url, StringComparison.Ordinal);

        var join = Programs.Start(Programs.Worker, _folder, "join", "--coordinator", url, "--tls-ca", ca, "--worker-id", "w-tls",
            "--peer-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture), "--advertise-host", "127.0.0.1");
        join.Environment[TokenFiles.WorkerVariable] = File.ReadAllText(Path.Combine(dir, TokenFiles.WorkerFileName)).Trim();
        using var agent = new RunningProcess(join);
        using (var channel = CoordinatorAddress.Channel(url, File.ReadAllText(Path.Combine(dir, TokenFiles.ClientFileName)).Trim(), PrivateCa.Load(ca)))
        {
            var client = new SweepService.SweepServiceClient(channel);
            // Registration has no event a client can follow; the agent registers within moments of starting.
            while (!(await client.ListWorkersAsync(new ListWorkersRequest())).Workers.Any(w => w.WorkerId == "w-tls"))
                await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        using var trusting = new RunningProcess(Programs.Start(Programs.Asl, _folder, "workers", "--coordinator", url, "--dir", dir, "--tls-ca", ca));
        Assert.Equal(0, await trusting.WaitForExit());
        Assert.Contains("w-tls", trusting.Output, StringComparison.Ordinal);

        using var doubting = new RunningProcess(Programs.Start(Programs.Asl, _folder, "workers", "--coordinator", url, "--dir", dir));
        Assert.Equal(1, await doubting.WaitForExit());
        Assert.Contains("The SSL connection could not be established", doubting.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_TlsKeyThatIsNotPem_ExitsTwoNamingBothOptions()
    {
        string cert = Path.Combine(_folder, "cert.pem");
        string key = Path.Combine(_folder, "key.pem");
        await File.WriteAllTextAsync(cert, "not a certificate");
        await File.WriteAllTextAsync(key, "not a key");

        using var serve = new RunningProcess(Programs.Start(Programs.Asl, _folder, "serve", "--dir", Path.Combine(_folder, "c"), "--port", "0",
            "--silo-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture), "--tls-cert", cert, "--tls-key", key));

        Assert.Equal(2, await serve.WaitForExit());
        Assert.Contains($"--tls-cert '{cert}' with --tls-key '{key}' cannot be used", serve.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "c", "coordinator.db")));
    }

    [Fact]
    public async Task Cli_TlsCaThatHoldsNoCertificate_ExitsTwoNamingTheOption()
    {
        string ca = Path.Combine(_folder, "ca.pem");
        await File.WriteAllTextAsync(ca, "no certificate here");
        await File.WriteAllTextAsync(Path.Combine(_folder, TokenFiles.ClientFileName), "a-client-token-of-32-characters!");

        using var cli = new RunningProcess(Programs.Start(Programs.Asl, _folder, "workers", "--coordinator", "https://127.0.0.1:1", "--dir", _folder, "--tls-ca", ca));

        Assert.Equal(2, await cli.WaitForExit());
        Assert.Contains($"--tls-ca '{ca}' cannot be used", cli.Output, StringComparison.Ordinal);
    }

    /// <summary>A private CA and a certificate for 127.0.0.1 it signed, as PEM files: (certificate, key, CA).</summary>
    private (string Cert, string Key, string Ca) IssueCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=asl test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, now.AddHours(-1), now.AddDays(1), [1, 2, 3, 4]);

        var files = (Path.Combine(_folder, "server.pem"), Path.Combine(_folder, "server.key"), Path.Combine(_folder, "ca.pem"));
        File.WriteAllText(files.Item1, signed.ExportCertificatePem());
        File.WriteAllText(files.Item2, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.Item3, ca.ExportCertificatePem());
        return files;
    }
}
