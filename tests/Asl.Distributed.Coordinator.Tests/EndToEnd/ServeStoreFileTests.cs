using System.Globalization;
using Asl.Distributed.Coordinator.Cli;

namespace Asl.Distributed.Coordinator.Tests.EndToEnd;

/// <summary><c>asl serve</c> on a folder whose coordinator.db is not a coordinator's store: a named error, exit 1, the file untouched.</summary>
public sealed class ServeStoreFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("asl-serve-store-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Serve_StoreFileOfRandomBytes_ExitsOneNamingTheFileAndLeavesItAsItWas()
    {
        string dir = Path.Combine(_folder, "coordinator");
        Directory.CreateDirectory(dir);
        string store = Path.Combine(dir, "coordinator.db");
        var bytes = new byte[3 * 4096];
        new Random(11).NextBytes(bytes);
        await File.WriteAllBytesAsync(store, bytes);

        using var serve = new RunningProcess(Programs.Start(Programs.Asl, _folder, "serve", "--dir", dir, "--port", "0",
            "--silo-port", LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(1, await serve.WaitForExit());
        Assert.Contains("asl: store error:", serve.Output, StringComparison.Ordinal);
        Assert.Contains(store, serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", serve.Output, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(store));
        Assert.Equal(["coordinator.db"], Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => f!.StartsWith("coordinator.db", StringComparison.Ordinal)));
    }
}
