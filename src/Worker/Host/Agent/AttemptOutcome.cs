using Asl.Distributed.Runs;

namespace Asl.Distributed.Worker.Agent;

/// <summary>How one attempt's run ended: the trainer's exit reason, its one-line error or stop reason, and the last checkpoint (rank 0; empty when none).</summary>
internal sealed record AttemptOutcome(RunExitReason Reason, string Message, string Checkpoint)
{
    /// <summary>The exit code <c>asl-worker train</c> would have ended with.</summary>
    public int ExitCode => RunExitCodes.Of(Reason);
}
