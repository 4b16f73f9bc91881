using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>How Adam steps (config <c>optimizer.step_layout</c>); both give the same bits.</summary>
public enum OptimizerStepLayout
{
    /// <summary>Flat on a CUDA device, per parameter on the CPU: the faster of the two on each.</summary>
    [ConfigName("auto")] Auto,
    /// <summary>Each group's weights, gradients and state one buffer; every operation once per group (few kernel launches).</summary>
    [ConfigName("flat")] Flat,
    /// <summary>Every operation once per parameter tensor, as TorchSharp's Adam (each tensor's passes stay in the CPU's cache).</summary>
    [ConfigName("per-parameter")] PerParameter,
}
