namespace Asl.Distributed.Sweeps;

/// <summary>The kinds of search domain, spelt as in Ray Tune (<c>grid</c>, <c>loguniform</c>, <c>qrandint</c>).</summary>
public enum DomainKind
{
    /// <summary>Listed values, every one a trial under grid (sampled uniformly under random).</summary>
    Grid,
    /// <summary>Listed values, one sampled uniformly per trial (every one a trial under grid).</summary>
    Choice,
    /// <summary>A number uniform in [lo, hi].</summary>
    Uniform,
    /// <summary>A number whose logarithm is uniform in [log lo, log hi].</summary>
    LogUniform,
    /// <summary>An integer uniform in [lo, hi): hi excluded, as Ray Tune.</summary>
    RandInt,
    /// <summary>A multiple of q uniform in [lo, hi]: hi included, as Ray Tune.</summary>
    QRandInt,
}
