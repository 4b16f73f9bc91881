using System.Text.Json;
using System.Text.Json.Serialization;

namespace Asl.Distributed.Training.Loop;

/// <summary>JSON settings of checkpoint and metric records: snake_case, NaN written as "NaN".</summary>
internal static class CheckpointJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
