using Asl.Distributed.Runs;
namespace Asl.Distributed.Worker.Launching;

/// <summary>How one launched rank ended: its exit code as <see cref="System.Diagnostics.Process.ExitCode"/> reports it
/// (128 + n for a process killed by signal n on Unix), and whether the launcher killed it itself.</summary>
/// <param name="Rank">The rank's index.</param>
/// <param name="ProcessId">The rank's process id, for the messages.</param>
/// <param name="ExitCode">The exit code.</param>
/// <param name="KilledByLauncher">True when the launcher killed it at the end of its grace period.</param>
public readonly record struct RankOutcome(int Rank, int ProcessId, int ExitCode, bool KilledByLauncher = false)
{
    /// <summary>The highest signal number on Linux (SIGRTMAX); codes 129 to 192 are signal deaths.</summary>
    private const int MaxSignal = 64;

    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>The signal that ended the rank, when its exit code is 128 + n.</summary>
    public int? Signal => ExitCode is > 128 and <= 128 + MaxSignal ? ExitCode - 128 : null;

    /// <summary>What the exit code means for the job.</summary>
    public RankEnd End => KilledByLauncher ? RankEnd.KilledByLauncher
        : ExitCode switch
        {
            RunExitCodes.Completed => RankEnd.Completed,
            RunExitCodes.PeerLost => RankEnd.LostPeer,
            RunExitCodes.Stopped => RankEnd.Stopped,
            < 0 => RankEnd.Killed,
            _ when Signal is SigInt or SigTerm => RankEnd.Interrupted,
            _ when Signal is not null => RankEnd.Killed,
            _ => RankEnd.Failed,
        };

    /// <summary>One phrase for the launcher's messages, e.g. <c>rank 1 (pid 4242) was killed by SIGKILL (exit code 137)</c>.</summary>
    public string Describe()
    {
        string who = $"rank {Rank} (pid {ProcessId})";
        return End switch
        {
            RankEnd.Completed => $"{who} completed",
            RankEnd.LostPeer => $"{who} exited with code {ExitCode} (lost a peer)",
            RankEnd.Stopped => $"{who} exited with code {ExitCode} (stopped on request)",
            RankEnd.Interrupted when ExitCode == RunExitCodes.Interrupted => $"{who} exited with code {ExitCode} (interrupted)",
            RankEnd.Interrupted or RankEnd.Killed when Signal is { } signal => $"{who} was killed by {SignalNames.Of(signal)} (exit code {ExitCode})",
            RankEnd.Killed => $"{who} ended abnormally with code {ExitCode}",
            RankEnd.KilledByLauncher => $"{who} was still running at the end of the grace period and was killed",
            _ => $"{who} exited with code {ExitCode}",
        };
    }
}
