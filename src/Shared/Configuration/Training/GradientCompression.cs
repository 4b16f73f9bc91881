using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>Gradient values on the wire (config <c>distributed.compression</c>); sums accumulate in float32.</summary>
public enum GradientCompression
{
    [ConfigName("none")] None,
    [ConfigName("bfloat16")] BFloat16,
    [ConfigName("float16")] Float16,
}
