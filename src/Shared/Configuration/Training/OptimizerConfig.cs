using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>
/// Adam as in the official script (config section <c>optimizer</c>): lr 1e-4, weight decay 1e-4 applied as coupled
/// L2 to weights only (no decay on biases and other 1-D parameters).
/// </summary>
public sealed class OptimizerConfig
{
    [Setting("Peak learning rate (OneCycle's max_lr; the constant rate without OneCycle).", Min = 0, MinExclusive = true)]
    public double Lr { get; set; } = 1e-4;

    [Setting("L2 weight decay on weights with two or more dimensions (coupled, as Adam's weight_decay).", Min = 0, Max = 1)]
    public double WeightDecay { get; set; } = 1e-4;

    [Setting("Adam's β2 (β1 is cycled by the OneCycle schedule, else 0.9).", Min = 0, Max = 0.999999)]
    public double Beta2 { get; set; } = 0.999;

    [Setting("Adam's ε.", Min = 0, MinExclusive = true)]
    public double AdamEps { get; set; } = 1e-8;

    [Setting("How Adam steps: flat (each parameter group's weights, gradients and state one contiguous buffer, every operation once per group: few kernel launches, for GPUs), per-parameter (once per tensor: faster on the CPU, where each tensor stays in cache), or auto (flat on CUDA, per-parameter on the CPU). The same bits either way; checkpoints keep the per-parameter layout.")]
    public OptimizerStepLayout StepLayout { get; set; } = OptimizerStepLayout.Auto;
}
