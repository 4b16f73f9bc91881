using System.Text.Json;

namespace Asl.Distributed.Worker.Tests;

/// <summary>The asl-worker command line itself: help, the config commands, and errors that name the option (exit code 2).</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public void TrainHelp_DescribesEveryArgumentAndOption()
    {
        var (exit, output, _) = WorkerProcess.Run(Limit, "train", "--help");
        Assert.Equal(0, exit);
        foreach (string expected in new[] { "<config>", "<overrides>", "--resume", "--nproc", "--rank", "--world-size", "--peers", "--log-level" })
            Assert.Contains(expected, output);
    }

    [Theory]
    [InlineData(new[] { "train", "c.yaml", "--nproc", "x" }, "--nproc")]
    [InlineData(new[] { "train", "c.yaml", "--nproc", "0" }, "--nproc '0' is out of range; allowed: an integer in [1, 256]")]
    [InlineData(new[] { "train", "c.yaml", "--ranks", "2" }, "unknown option '--ranks'")]
    [InlineData(new[] { "train", "c.yaml", "--rank", "0" }, "--rank, --world-size and --peers go together")]
    [InlineData(new[] { "train" }, "'config'")]
    [InlineData(new[] { "fly" }, "'fly'")]
    [InlineData(new[] { "config", "keys", "--format", "html" }, "--format")]
    public void BadCommandLine_ExitsTwoNamingTheOption(string[] args, string message)
    {
        var (exit, _, error) = WorkerProcess.Run(Limit, args);
        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public void ConfigKeys_ListsEveryKeyWithItsDefaultAndRange()
    {
        var (exit, output, _) = WorkerProcess.Run(Limit, "config", "keys");
        Assert.Equal(0, exit);
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith("loss.clip ", StringComparison.Ordinal));
        Assert.Contains("from loss.preset", line);
        Assert.Contains("a finite number in [0, 1)", line);
        Assert.Equal(1 + 80, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void ConfigSchema_IsJsonSchema2020WithEverySection()
    {
        var (exit, output, _) = WorkerProcess.Run(Limit, "config", "schema");
        Assert.Equal(0, exit);
        using var schema = JsonDocument.Parse(output);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        var properties = schema.RootElement.GetProperty("properties");
        Assert.Equal(["seed", "data", "image", "model", "loss", "optimizer", "schedule", "run", "output", "distributed"],
            properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["float32", "bfloat16", "float16"],
            properties.GetProperty("run").GetProperty("properties").GetProperty("precision").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void ConfigShow_PrintsTheConfigAsARunRecordsItOrEveryProblem()
    {
        string file = Path.Combine(Path.GetTempPath(), $"asl-show-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "data:\n  kind: Synthetic-Shapes\nloss:\n  preset: BCE\n");
        try
        {
            var (exit, output, _) = WorkerProcess.Run(Limit, "config", "show", file, "run.precision=BFloat16");
            Assert.Equal(0, exit);
            Assert.Contains("  kind: synthetic-shapes\n", output);
            Assert.Contains("  precision: bfloat16\n", output);
            Assert.Contains("  gamma_neg: 0\n", output);

            var (refused, _, error) = WorkerProcess.Run(Limit, "config", "show", file, "run.precision=fp8", "optimizer.lr=0");
            Assert.Equal(2, refused);
            Assert.Contains("2 problems:", error);
            Assert.Contains("run.precision: 'fp8' is not allowed", error);
            Assert.Contains("optimizer.lr: 0 is out of range", error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
