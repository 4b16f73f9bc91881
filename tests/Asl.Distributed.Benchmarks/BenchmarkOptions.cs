using System.Globalization;

namespace Asl.Distributed.Benchmarks;

/// <summary>The benchmark commands' options: <c>--name value</c> pairs read from the command's arguments.</summary>
internal static class BenchmarkOptions
{
    /// <summary>The value after <paramref name="name"/>, parsed with the invariant culture, or <paramref name="fallback"/>.</summary>
    public static T Option<T>(string[] args, string name, T fallback) where T : IParsable<T>
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? T.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
