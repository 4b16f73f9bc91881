using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Worker.Launching;

/// <summary>
/// What the launcher says about its ranks. Its lines carry the program's name even at information level, so that
/// they stand apart from rank 0's output, which the launcher passes on unprefixed.
/// </summary>
internal sealed partial class LauncherLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "asl-worker: starting {Count} rank(s) of {Command} on 127.0.0.1 ports {Ports}")]
    public partial void Starting(int count, string command, string ports);

    [LoggerMessage(Level = LogLevel.Information, Message = "asl-worker: started {Ranks}")]
    public partial void Started(string ranks);

    [LoggerMessage(Level = LogLevel.Error, Message = "interrupted before any rank was started")]
    public partial void InterruptedBeforeStart();

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot start rank {Rank} with '{Command}': {Reason}")]
    public partial void CannotStart(int rank, string command, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "interrupted; sending SIGTERM to {Ranks}")]
    public partial void Stopping(string ranks);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Outcome}")]
    public partial void RankEnded(string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "killing {Ranks}: still running {Seconds} s after {Reason}")]
    public partial void Killing(string ranks, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "exit code {ExitCode}, {Verdict}")]
    public partial void Verdict(int exitCode, string verdict);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Launcher} is gone; stopping at the next safe point")]
    public partial void LauncherGone(string launcher);
}
