using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Asl.Distributed.Training.Losses;

/// <summary>
/// A snapshot of <see cref="AdaptiveAsymmetry"/>: the current γ−, the number of applied updates, the last probability
/// gap seen (NaN before the first, or when it was not finite) and the number of updates skipped for a non-finite gap.
/// It travels with checkpoints as JSON.
/// </summary>
public sealed record AdaptiveAsymmetryState(double GammaNeg, long Steps, double LastProbGap, long SkippedUpdates)
{
    private const string GammaNegField = "gamma_neg";
    private const string StepsField = "steps";
    private const string LastProbGapField = "last_prob_gap";
    private const string SkippedUpdatesField = "skipped_updates";

    /// <summary>
    /// The state as a JSON object with the config-style names gamma_neg, steps, last_prob_gap, skipped_updates.
    /// Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" (the spelling of
    /// <c>JsonNumberHandling.AllowNamedFloatingPointLiterals</c>); finite doubles round-trip bit for bit.
    /// </summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            WriteDouble(writer, GammaNegField, GammaNeg);
            writer.WriteNumber(StepsField, Steps);
            WriteDouble(writer, LastProbGapField, LastProbGap);
            writer.WriteNumber(SkippedUpdatesField, SkippedUpdates);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Reads what <see cref="ToJson"/> wrote. Throws a <see cref="JsonException"/> naming the field when one is missing,
    /// has the wrong type or is out of range (gamma_neg must be a finite number ≥ 0, the counts ≥ 0). Whether γ− lies
    /// within a controller's bounds is checked by <see cref="AdaptiveAsymmetry.Restore"/>.
    /// </summary>
    public static AdaptiveAsymmetryState FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new JsonException($"adaptive asymmetry state: not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new JsonException($"adaptive asymmetry state: expected a JSON object; got {root.ValueKind}");

            var gammaNeg = ReadDouble(root, GammaNegField);
            if (!double.IsFinite(gammaNeg) || gammaNeg < 0)
                throw Invalid(GammaNegField, $"{Format(gammaNeg)} is out of range; allowed: a finite number >= 0");
            var steps = ReadCount(root, StepsField);
            var lastProbGap = ReadDouble(root, LastProbGapField);
            var skippedUpdates = ReadCount(root, SkippedUpdatesField);
            return new AdaptiveAsymmetryState(gammaNeg, steps, lastProbGap, skippedUpdates);
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumber(name, value);
        else
            writer.WriteString(name, Format(value));
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static double ReadDouble(JsonElement root, string field)
    {
        var element = Require(root, field);
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number))
            return number;
        if (element.ValueKind == JsonValueKind.String)
        {
            switch (element.GetString())
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }
        throw Invalid(field, $"expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"); got {element.GetRawText()}");
    }

    private static long ReadCount(JsonElement root, string field)
    {
        var element = Require(root, field);
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var count))
            throw Invalid(field, $"expected an integer; got {element.GetRawText()}");
        if (count < 0)
            throw Invalid(field, $"{count} is out of range; allowed: an integer >= 0");
        return count;
    }

    private static JsonElement Require(JsonElement root, string field) =>
        root.TryGetProperty(field, out var element) ? element : throw Invalid(field, "the field is missing");

    private static JsonException Invalid(string field, string message) =>
        new($"adaptive asymmetry state: '{field}': {message}");
}
