using System.Collections;
using System.Reflection;
using System.Runtime.Loader;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>
/// Key tables built from several threads at once, as a fresh coordinator builds them when sweeps are submitted
/// together. Each round loads a fresh copy of the assembly (its own static caches, nothing built yet), so every
/// round races the first builds again.
/// </summary>
public sealed class SchemaBuildTests
{
    [Fact]
    public async Task Of_ManyThreadsOnAFreshCopy_EachGetsTheWholeTable()
    {
        Type[] roots = [typeof(TrainingConfig), typeof(SweepSettings)];
        string[][] expected = [.. roots.Select(r => ConfigSchema.Of(r).Keys.Select(k => $"{k.Path} {k.Optional}").ToArray())];
        const int Threads = 8;
        for (int round = 0; round < 20; round++)
        {
            var context = new AssemblyLoadContext($"schema-round-{round}", isCollectible: true);
            try
            {
                var assembly = context.LoadFromAssemblyPath(typeof(ConfigSchema).Assembly.Location);
                var of = assembly.GetType(typeof(ConfigSchema).FullName!)!.GetMethod(nameof(ConfigSchema.Of))!;
                var fresh = roots.Select(r => assembly.GetType(r.FullName!)!).ToArray();
                using var start = new Barrier(Threads);
                var builds = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    return Keys(of.Invoke(null, [fresh[t % 2]])!);
                }, TaskCreationOptions.LongRunning)).ToArray();
                var tables = await Task.WhenAll(builds);
                for (int t = 0; t < Threads; t++)
                    Assert.Equal(expected[t % 2], tables[t]);
            }
            finally
            {
                context.Unload();
            }
        }
    }

    /// <summary>"path optional" of each key of a schema from another load context, read by reflection.</summary>
    private static string[] Keys(object schema)
    {
        var keys = (IEnumerable)schema.GetType().GetProperty(nameof(ConfigSchema.Keys))!.GetValue(schema)!;
        return [.. keys.Cast<object>().Select(k =>
            $"{k.GetType().GetProperty(nameof(SettingKey.Path))!.GetValue(k)} {k.GetType().GetProperty(nameof(SettingKey.Optional))!.GetValue(k)}")];
    }
}
