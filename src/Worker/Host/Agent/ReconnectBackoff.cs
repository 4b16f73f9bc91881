namespace Asl.Distributed.Worker.Agent;

/// <summary>
/// Capped exponential backoff with jitter: the n-th delay after consecutive failures is
/// min(max, initial·2ⁿ) shortened by a random fraction of at most <c>jitter</c>. The jitter comes from a seeded
/// source (the worker id's hash), so one worker's delays are reproducible while workers cut off together spread out.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private readonly Random _random;
    private int _failures;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        if (!(jitter is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "allowed: a fraction in [0, 1]");
        _initial = initial;
        _max = max;
        _jitter = jitter;
        _random = new Random(seed);
    }

    /// <summary>The delay before the next try; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        // 2^n overflows nothing that matters: the cap is reached long before.
        double ceiling = Math.Min(_max.TotalSeconds, _initial.TotalSeconds * Math.Pow(2, Math.Min(_failures, 62)));
        _failures++;
        return TimeSpan.FromSeconds(ceiling * (1 - _jitter * _random.NextDouble()));
    }

    /// <summary>After a success: the next failure waits the initial delay again.</summary>
    public void Reset() => _failures = 0;

    /// <summary>A seed from <paramref name="text"/> that is the same in every process (FNV-1a; string.GetHashCode is randomised per process).</summary>
    public static int SeedOf(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash ^= c;
            hash *= 16777619;
        }
        return unchecked((int)hash);
    }
}
