using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Loop;

/// <summary>The trainer's notes (progress and epoch results are events, not log lines).</summary>
internal sealed partial class TrainerLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "resuming after epoch {Epoch} (step {Step}) from {Checkpoint}")]
    public partial void Resuming(int epoch, long step, string checkpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Summary}")]
    public partial void SkippedImages(string summary);
}
