using System.Text.Json;
using System.Text.Json.Serialization;

namespace Asl.Distributed.Runs;

/// <summary>JSON settings of a run's records (metrics.jsonl, summary.json, checkpoint state): snake_case, NaN written as "NaN".</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
