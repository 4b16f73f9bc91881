using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Asl.Distributed.Configuration.Schema;

/// <summary>
/// The key schema as JSON Schema (draft 2020-12), for YAML editors: every section an object without extra keys,
/// every setting typed with its range, allowed values (canonical spellings), default and description.
/// </summary>
public static class JsonSchemaWriter
{
    public static string Write(ConfigSchema schema, string title)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
            json.WriteString("title", title);
            WriteSection(json, schema, "");
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteSection(Utf8JsonWriter json, ConfigSchema schema, string prefix)
    {
        json.WriteString("type", "object");
        json.WriteBoolean("additionalProperties", false);
        json.WriteStartObject("properties");
        foreach (string name in schema.ChildNames(prefix))
        {
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            json.WriteStartObject(name);
            if (schema.Find(path) is not { } key)
            {
                WriteSection(json, schema, path);
            }
            else if (key.Kind == SettingKind.Section)
            {
                json.WriteString("description", key.Description);
                WriteSection(json, schema, path);
                json.WriteStartArray("type");
                json.WriteStringValue("object");
                json.WriteStringValue("null");
                json.WriteEndArray();
            }
            else
            {
                WriteKey(json, key);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteKey(Utf8JsonWriter json, SettingKey key)
    {
        json.WriteString("description", key.Description);
        string type = key.Kind switch
        {
            SettingKind.Boolean => "boolean",
            SettingKind.Integer => "integer",
            SettingKind.Number => "number",
            SettingKind.NumberList => "array",
            _ => "string",
        };
        if (key.Optional)
        {
            json.WriteStartArray("type");
            json.WriteStringValue(type);
            json.WriteStringValue("null");
            json.WriteEndArray();
        }
        else
        {
            json.WriteString("type", type);
        }
        if (key.Kind == SettingKind.NumberList)
        {
            json.WriteStartObject("items");
            json.WriteString("type", "number");
            json.WriteEndObject();
        }
        if (key.Kind == SettingKind.Choice)
        {
            json.WriteStartArray("enum");
            foreach (string value in key.AllowedValues)
                json.WriteStringValue(value);
            if (key.Optional)
                json.WriteNullValue();
            json.WriteEndArray();
        }
        if (key.ParsedType is { } parsed)
            json.WriteString("pattern", parsed.Pattern);
        if (key.Min is { } min)
            json.WriteNumber(key.MinExclusive ? "exclusiveMinimum" : "minimum", min);
        if (key.Max is { } max)
            json.WriteNumber(key.MaxExclusive ? "exclusiveMaximum" : "maximum", max);
        WriteDefault(json, key);
    }

    private static void WriteDefault(Utf8JsonWriter json, SettingKey key)
    {
        string text = key.Default;
        switch (key.Kind)
        {
            case SettingKind.Boolean when bool.TryParse(text, out bool b):
                json.WriteBoolean("default", b);
                break;
            case SettingKind.Integer or SettingKind.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d):
                json.WriteNumber("default", d);
                break;
            case SettingKind.Choice when key.AllowedValues.Contains(text):
            case SettingKind.Text when text != "null":
            case SettingKind.Parsed:
                json.WriteString("default", text);
                break;
            case SettingKind.NumberList when text == "[]":
                json.WriteStartArray("default");
                json.WriteEndArray();
                break;
        }
    }
}
