using System.Diagnostics;
using System.Globalization;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>
/// A real process writing to the store is killed with SIGKILL in the middle of its write loop, several times
/// over on the same file: every write it reported done is in the file afterwards, the file passes SQLite's
/// integrity check, and the next process carries on from it.
/// </summary>
public sealed class KilledWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Kill9_DuringWriteLoop_EveryAcknowledgedWriteSurvives()
    {
        var path = _folder.File();
        var acknowledged = new List<(long Counter, long Sequence)>();
        for (var round = 0; round < 3; round++)
        {
            var before = acknowledged.Count;
            acknowledged.AddRange(await RunAndKillAfter(path, acknowledgements: 25));
            Assert.True(acknowledged.Count - before >= 25);

            var (counter, sequence) = acknowledged[^1];
            var integrity = Stores.QuickCheck(path);
            Assert.Equal(["ok"], integrity);
            using var store = Stores.Open(path);
            var record = await store.GrainStates.ReadAsync(StoreWriteLoop.StateName, StoreWriteLoop.GrainId);
            var stored = StoreWriteLoop.Value(record!.Payload!);
            // The kill may land after a commit and before its acknowledgement, never before an acknowledged one.
            Assert.InRange(stored, counter, counter + 1);
            Assert.Equal(stored, record.Version);

            var events = await store.Journal.ReadAsync(StoreWriteLoop.StreamId, 0, 100_000);
            Assert.InRange(events.Count, sequence, sequence + 1);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.All(acknowledged, ack => Assert.Equal(ack.Counter, StoreWriteLoop.Value(events[(int)ack.Sequence - 1].Payload)));
        }
    }

    /// <summary>Starts the write loop, kills it once it has acknowledged enough writes, and returns every acknowledgement.</summary>
    private static async Task<List<(long Counter, long Sequence)>> RunAndKillAfter(string path, int acknowledgements)
    {
        var testAssembly = typeof(KilledWriterTests).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost(), [testAssembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_STARTUP_HOOKS"] = testAssembly;
        start.Environment[StoreWriteLoop.PathVariable] = path;

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync();
        var acks = new List<(long, long)>();
        try
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                var parts = line.Split(' ');
                acks.Add((long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture)));
                if (acks.Count == acknowledgements)
                {
                    child.Kill();
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        await child.WaitForExitAsync();
        // 137 = 128 + SIGKILL: the loop never ends on its own, so any other exit is a failure of the child.
        Assert.True(child.ExitCode == 137, $"the write loop exited with {child.ExitCode}: {await errors}");
        return acks;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
