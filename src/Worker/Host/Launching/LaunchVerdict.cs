using Asl.Distributed.Runs;
namespace Asl.Distributed.Worker.Launching;

/// <summary>
/// The launcher's exit code for a whole job, from how its ranks ended (README, "Data-parallel training"):
/// <list type="number">
/// <item>0 when every rank completed, even if a stop was requested (it came too late to interrupt anything);</item>
/// <item>otherwise the code of the first rank that failed on its own (1, 2, or any code that is not 3, 130 or a
/// signal's): the cause, whatever the others then reported;</item>
/// <item>otherwise 130 when the launcher was asked to stop or a rank was interrupted: ranks that lost a peer or were
/// killed after the grace period did so because of that;</item>
/// <item>otherwise 4 when the ranks that did not complete all stopped after an epoch on request;</item>
/// <item>otherwise 3: a rank was killed by a signal (SIGKILL, a crash), ended abnormally, or lost a peer.</item>
/// </list>
/// </summary>
/// <param name="ExitCode">The launcher's exit code.</param>
/// <param name="Meaning">What the code means, in the README's words.</param>
/// <param name="Details">The ranks that did not complete and how each ended, in the order they ended.</param>
public sealed record LaunchVerdict(int ExitCode, string Meaning, string Details)
{
    /// <summary>Decides the job's exit code.</summary>
    /// <param name="outcomes">Every rank's outcome, in the order the launcher saw them end.</param>
    /// <param name="stopRequested">Whether the launcher was interrupted and asked its ranks to stop.</param>
    public static LaunchVerdict Decide(IReadOnlyList<RankOutcome> outcomes, bool stopRequested)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
            throw new ArgumentException("a job has at least one rank", nameof(outcomes));
        var ended = outcomes.Where(o => o.End != RankEnd.Completed).ToList();
        string details = string.Join("; ", ended.Select(o => o.Describe()));
        if (ended.Count == 0)
        {
            return new LaunchVerdict(RunExitCodes.Completed, stopRequested ? "done: every rank completed its run before the stop reached it" : "done",
                details);
        }
        if (ended.FirstOrDefault(o => o.End == RankEnd.Failed) is { End: RankEnd.Failed } cause)
        {
            string meaning = cause.ExitCode switch
            {
                RunExitCodes.InvalidConfig => $"bad command line or config (rank {cause.Rank})",
                _ => $"the run failed (rank {cause.Rank})",
            };
            return new LaunchVerdict(cause.ExitCode, meaning, details);
        }
        if (stopRequested || ended.Any(o => o.End == RankEnd.Interrupted))
            return new LaunchVerdict(RunExitCodes.Interrupted, "interrupted", details);
        if (ended.All(o => o.End == RankEnd.Stopped))
            return new LaunchVerdict(RunExitCodes.Stopped, "stopped on request", details);
        return new LaunchVerdict(RunExitCodes.PeerLost, "a peer was lost", details);
    }

    /// <summary>What the code means, and the ranks that did not complete.</summary>
    public string Summary => Details.Length == 0 ? Meaning : $"{Meaning}: {Details}";

    /// <summary>The launcher's last line, e.g. <c>asl-worker: exit code 3, a peer was lost: rank 1 (pid 4242) was killed by SIGKILL (exit code 137); ...</c>.</summary>
    public override string ToString() =>
        Details.Length == 0 ? $"asl-worker: exit code {ExitCode}, {Meaning}" : $"asl-worker: exit code {ExitCode}, {Meaning}: {Details}";
}
