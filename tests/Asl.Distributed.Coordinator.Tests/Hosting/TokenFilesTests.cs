using Asl.Distributed.Coordinator.Hosting;

namespace Asl.Distributed.Coordinator.Tests.Hosting;

public sealed class TokenFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("asl-tokens-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CoordinatorSettings Settings => new() { Directory = _dir };

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Resolve_NothingGiven_GeneratesTwoDifferentTokensReadableByTheOwnerOnlyAndReusesThem()
    {
        var first = TokenFiles.Resolve(Settings, _ => null);
        var second = TokenFiles.Resolve(Settings, _ => null);

        Assert.Equal(first, second);
        Assert.NotEqual(first.WorkerToken, first.ClientToken);
        Assert.Equal(64, first.WorkerToken.Length);
        foreach (string file in new[] { TokenFiles.WorkerFileName, TokenFiles.ClientFileName })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, file)));
    }

    [Fact]
    public void Resolve_EnvironmentAndFiles_TakePrecedenceOverGeneratedTokens()
    {
        string clientFile = Path.Combine(_dir, "mine.token");
        File.WriteAllText(clientFile, "client-from-a-file-0123456789\n");

        var tokens = TokenFiles.Resolve(Settings with { ClientTokenFile = clientFile },
            name => name == TokenFiles.WorkerVariable ? "worker-from-the-environment-01" : null);

        Assert.Equal("worker-from-the-environment-01", tokens.WorkerToken);
        Assert.Equal("client-from-a-file-0123456789", tokens.ClientToken);
        Assert.False(File.Exists(Path.Combine(_dir, TokenFiles.WorkerFileName)));
    }

    [Fact]
    public void Resolve_SameTokenForBothRoles_IsRefused()
    {
        var e = Assert.Throws<TokenFileException>(() => TokenFiles.Resolve(Settings, _ => "the-same-token-for-both-0123"));
        Assert.Contains("must differ", e.Message);
    }

    [Fact]
    public void Resolve_ShortToken_IsRefusedNamingItsSource()
    {
        var e = Assert.Throws<TokenFileException>(() => TokenFiles.Resolve(Settings, name => name == TokenFiles.ClientVariable ? "short" : null));
        Assert.StartsWith(TokenFiles.ClientVariable + ":", e.Message);
        Assert.Contains("at least 16", e.Message);
    }
}
