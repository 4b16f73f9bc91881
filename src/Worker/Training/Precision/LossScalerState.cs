namespace Asl.Distributed.Training.Precision;

/// <summary>The dynamic loss scaler's state as a checkpoint keeps it, so that a resumed float16 run continues exactly.</summary>
/// <param name="Scale">The current loss scale (a float32, as PyTorch's GradScaler keeps it).</param>
/// <param name="GrowthTracker">Finite steps in a row since the scale last changed.</param>
public sealed record LossScalerState(float Scale, int GrowthTracker);
