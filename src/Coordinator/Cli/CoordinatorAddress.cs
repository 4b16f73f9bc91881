using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Asl.Distributed.Contracts.V1;
using Asl.Distributed.Coordinator.Hosting;
using Asl.Distributed.Security;
using Grpc.Core;
using Grpc.Net.Client;

namespace Asl.Distributed.Coordinator.Cli;

/// <summary>
/// The options every client command shares (where the coordinator is, which token to send) and the client they make.
/// The token is the first of: --token-file, $ASL_CLIENT_TOKEN, the client.token that <c>asl serve</c> generated in
/// --dir.
/// </summary>
internal sealed class CoordinatorAddress
{
    public Option<string> Url { get; } = new("--coordinator") { Description = "The coordinator's address.", DefaultValueFactory = _ => "http://127.0.0.1:50051" };

    public Option<string?> TokenFile { get; } = new("--token-file") { Description = $"File holding the client token (else ${TokenFiles.ClientVariable}, else --dir's client.token)." };

    public Option<string> Directory { get; } = new("--dir") { Description = "The coordinator's folder, where asl serve generated client.token.", DefaultValueFactory = _ => "asl-coordinator" };

    public Option<string?> TlsCa { get; } = new("--tls-ca") { Description = "PEM CA certificate an https coordinator's certificate must chain to (else the system's roots)." };

    public void AddTo(Command command)
    {
        command.Add(Url);
        command.Add(TokenFile);
        command.Add(Directory);
        command.Add(TlsCa);
    }

    /// <summary>
    /// A client of the coordinator; throws <see cref="TokenFileException"/> when no token can be found and
    /// <see cref="OptionFileException"/> when --tls-ca cannot be used.
    /// </summary>
    public (SweepService.SweepServiceClient Client, GrpcChannel Channel) Connect(ParseResult result)
    {
        string token = result.GetValue(TokenFile) is { } file ? TokenFiles.Read(file, "--token-file")
            : Environment.GetEnvironmentVariable(TokenFiles.ClientVariable) is { Length: > 0 } variable ? variable.Trim()
            : File.Exists(Path.Combine(result.GetValue(Directory)!, TokenFiles.ClientFileName))
                ? TokenFiles.Read(Path.Combine(result.GetValue(Directory)!, TokenFiles.ClientFileName), "--dir")
                : throw new TokenFileException($"no client token: give --token-file, set {TokenFiles.ClientVariable}, or point --dir at the coordinator's folder");
        var channel = Channel(result.GetValue(Url)!, token, result.GetValue(TlsCa) is { } ca ? LoadCa(ca) : null);
        return (new SweepService.SweepServiceClient(channel), channel);
    }

    /// <summary>A channel to <paramref name="url"/> sending <paramref name="token"/>; over https trusting <paramref name="ca"/> as the only root when given.</summary>
    public static GrpcChannel Channel(string url, string token, X509Certificate2Collection? ca = null)
    {
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(url.StartsWith("https", StringComparison.OrdinalIgnoreCase) ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            MaxReceiveMessageSize = 64 << 20,
            HttpHandler = ca is null ? null : new SocketsHttpHandler { SslOptions = PrivateCa.ClientOptions(ca), EnableMultipleHttp2Connections = true },
            DisposeHttpClient = ca is not null,
        });
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        try
        {
            return PrivateCa.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            throw new OptionFileException($"--tls-ca '{path}' cannot be used: {e.Message}; allowed: a readable PEM file with the CA certificate");
        }
    }
}
