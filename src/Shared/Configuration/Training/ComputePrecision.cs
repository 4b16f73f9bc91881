using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>The precision forward and backward run in (config <c>run.precision</c>); master weights and the loss stay float32.</summary>
public enum ComputePrecision
{
    [ConfigName("float32")] Float32,
    [ConfigName("bfloat16")] BFloat16,
    [ConfigName("float16")] Float16,
}
