using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Coordinator.Tests.Telemetry;

/// <summary>The log line the OTLP receiver's tests send through the OpenTelemetry logging provider.</summary>
internal static partial class ReceiverTestLog
{
    public const string TrialDivergedTemplate = "Trial {TrialId} diverged at epoch {Epoch}";

    [LoggerMessage(Level = LogLevel.Warning, Message = TrialDivergedTemplate)]
    public static partial void TrialDiverged(ILogger logger, string trialId, int epoch);
}
