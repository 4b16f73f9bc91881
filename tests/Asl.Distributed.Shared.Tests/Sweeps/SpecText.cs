using Asl.Distributed.Configuration;
using Asl.Distributed.Sweeps;

namespace Asl.Distributed.Shared.Tests.Sweeps;

/// <summary>Small specs for the tests and the problems a spec gets.</summary>
internal static class SpecText
{
    /// <summary>A spec with every field at its default except the required name.</summary>
    public const string Minimal = "name: s\n";

    /// <summary>The problems of <paramref name="yaml"/>; fails the test when the spec is accepted.</summary>
    public static IReadOnlyList<ConfigProblem> Problems(string yaml, string? folder = null)
    {
        var error = Assert.Throws<ConfigException>(() => SweepSpecReader.Parse(yaml, folder));
        return error.Problems;
    }

    /// <summary>The one problem at <paramref name="path"/>; fails when there is none or several.</summary>
    public static ConfigProblem ProblemAt(string yaml, string path)
    {
        var problems = Problems(yaml);
        var at = problems.Where(p => p.Key == path).ToList();
        Assert.True(at.Count == 1, $"expected one problem at {path}, got: {string.Join(" | ", problems)}");
        return at[0];
    }
}
