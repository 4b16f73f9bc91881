using Asl.Distributed.Training.Precision;

namespace Asl.Distributed.Training.Loop;

/// <summary>
/// The scalar part of a checkpoint: where the run stands and what it needs to continue exactly. Tensors (model,
/// EMA, optimizer) are stored beside it in the same file.
/// </summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Step">Optimizer steps completed (the schedule's position).</param>
/// <param name="ConfigYaml">The full resolved config of the run.</param>
/// <param name="BestMap">Best validation mAP so far (NaN before the first validation).</param>
/// <param name="BestEpoch">Epoch of <see cref="BestMap"/> (0 when none).</param>
/// <param name="AdaptiveAsymmetry">The adaptive-asymmetry state as JSON, when the loss adapts γ−.</param>
/// <param name="TorchRngState">The torch CPU generator state, base64.</param>
/// <param name="SkippedSteps">Steps skipped: for a non-finite loss under the skip policy, and float16 steps with a non-finite gradient.</param>
/// <param name="LossScaler">The float16 run's dynamic loss scaler; null for other precisions and in checkpoints written before it existed (the scaler then starts from its configured initial scale).</param>
public sealed record CheckpointState(
    int Epoch,
    long Step,
    string ConfigYaml,
    double BestMap,
    int BestEpoch,
    string? AdaptiveAsymmetry,
    string TorchRngState,
    long SkippedSteps,
    LossScalerState? LossScaler = null);
