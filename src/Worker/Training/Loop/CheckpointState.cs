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
/// <param name="SkippedSteps">Steps skipped for a non-finite loss under the skip policy.</param>
public sealed record CheckpointState(
    int Epoch,
    long Step,
    string ConfigYaml,
    double BestMap,
    int BestEpoch,
    string? AdaptiveAsymmetry,
    string TorchRngState,
    long SkippedSteps);
