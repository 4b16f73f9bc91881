using System.Security.Cryptography;
using Asl.Distributed.Coordinator.Api;

namespace Asl.Distributed.Coordinator.Hosting;

/// <summary>
/// Where the API's tokens come from: a file given on the command line, else an environment variable, else (the
/// embedded mode) a token generated once into the coordinator's folder, readable by its owner only, and reused.
/// </summary>
public static class TokenFiles
{
    public const string WorkerVariable = "ASL_WORKER_TOKEN";
    public const string ClientVariable = "ASL_CLIENT_TOKEN";
    public const string WorkerFileName = "worker.token";
    public const string ClientFileName = "client.token";

    /// <summary>Both tokens; throws <see cref="TokenFileException"/> naming the file or variable that is unusable.</summary>
    public static AccessTokens Resolve(CoordinatorSettings settings, Func<string, string?> environment)
    {
        string worker = One("--worker-token-file", settings.WorkerTokenFile, WorkerVariable, Path.Combine(settings.Directory, WorkerFileName), environment);
        string client = One("--client-token-file", settings.ClientTokenFile, ClientVariable, Path.Combine(settings.Directory, ClientFileName), environment);
        if (worker == client)
            throw new TokenFileException("the worker and client tokens are the same; they must differ, so a worker cannot act as a client");
        return new AccessTokens(worker, client);
    }

    /// <summary>Reads a token file: its first line, trimmed; at least 16 characters.</summary>
    public static string Read(string path, string source)
    {
        string token;
        try
        {
            token = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenFileException($"{source}: cannot read '{path}': {e.Message}");
        }
        return Checked(token, $"{source} ('{path}')");
    }

    private static string One(string option, string? file, string variable, string generated, Func<string, string?> environment)
    {
        if (file is not null)
            return Read(file, option);
        if (environment(variable) is { Length: > 0 } fromEnvironment)
            return Checked(fromEnvironment.Trim(), variable);
        if (File.Exists(generated))
            return Read(generated, "generated token");
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        // Created with owner-only permissions from the start, so the token is never readable by others.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(generated, options))
        using (var writer = new StreamWriter(stream))
            writer.WriteLine(token);
        return token;
    }

    private static string Checked(string token, string source) =>
        token.Length >= 16 && token.All(c => c > ' ' && c < 127)
            ? token
            : throw new TokenFileException($"{source}: a token must be at least 16 printable ASCII characters without spaces");
}
