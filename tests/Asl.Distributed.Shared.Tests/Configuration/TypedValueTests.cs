using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>
/// Every key with a fixed set of values, through YAML and through an override, in any case: the value read is the
/// canonical one and config.yaml spells it canonically. The keys come from the schema, so a new one is covered.
/// </summary>
public sealed class TypedValueTests
{
    public static TheoryData<string, string, string> ChoiceSpellings()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var key in TrainingConfig.Schema.Keys.Where(k => k.Kind == SettingKind.Choice))
        {
            foreach (string value in key.AllowedValues)
            {
                foreach (string spelling in new[] { value, value.ToUpperInvariant(), char.ToUpperInvariant(value[0]) + value[1..], $"  {value}  " }.Distinct())
                    data.Add(key.Path, value, spelling);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ChoiceSpellings))]
    public void ChoiceKey_AnySpellingThroughOverride_ReadsTheCanonicalValue(string path, string canonical, string spelling)
    {
        var config = TrainingConfigLoader.Parse(BaseYaml, [$"{path}={spelling}", .. Requirements(path, canonical)]);
        AssertCanonical(config, path, canonical);
    }

    [Theory]
    [MemberData(nameof(ChoiceSpellings))]
    public void ChoiceKey_AnySpellingThroughYaml_ReadsTheCanonicalValue(string path, string canonical, string spelling)
    {
        var config = TrainingConfigLoader.Parse(BaseYaml + Nested(path, $"'{spelling}'"), Requirements(path, canonical));
        AssertCanonical(config, path, canonical);
    }

    [Fact]
    public void ChoiceSpellings_CoverEveryClosedSetOfTheSchema()
    {
        string[] expected = ["data.kind", "data.train_split", "data.val_split", "data.bad_records", "model.name", "loss.preset", "loss.reduction",
            "schedule.kind", "run.precision", "run.nan_policy", "run.map_policy", "distributed.transport", "distributed.compression", "optimizer.step_layout"];
        Assert.Equal(expected.Order(), TrainingConfig.Schema.Keys.Where(k => k.Kind == SettingKind.Choice).Select(k => k.Path).Order());
    }

    [Fact]
    public void ChoiceKey_UnknownValue_NamesKeyAndCanonicalSpellings()
    {
        var error = Assert.Throws<Asl.Distributed.Configuration.ConfigException>(() => TrainingConfigLoader.Parse("", ["data.kind=imagenet"]));
        Assert.Equal("data.kind: 'imagenet' is not allowed; allowed: one of: synthetic-shapes, coco, voc, list", error.Message);
    }

    private const string BaseYaml = "output:\n  dir: runs/typed\n";

    private static void AssertCanonical(TrainingConfig config, string path, string canonical)
    {
        var key = TrainingConfig.Schema.Find(path)!;
        var value = Assert.IsAssignableFrom<Enum>(key.GetValue(config));
        Assert.Equal(canonical, ConfigNames.ToName(value));
        Assert.Equal(Enum.Parse(key.ValueType, Member(key.ValueType, canonical)), value);
        // config.yaml spells it canonically, and reading that back gives the same value.
        string yaml = TrainingConfigLoader.ToYaml(config);
        Assert.Contains($"{key.Name}: {canonical}\n", yaml);
        Assert.Equal(value, key.GetValue(TrainingConfigLoader.Parse(yaml)));
    }

    /// <summary>The enum member whose ConfigName is <paramref name="canonical"/>, found independently of ConfigNames.</summary>
    private static string Member(Type enumType, string canonical) => enumType.GetFields()
        .Single(f => f.GetCustomAttributes(typeof(ConfigNameAttribute), false).Cast<ConfigNameAttribute>().Any(a => a.Name == canonical)).Name;

    /// <summary>Settings that a value makes necessary (a data kind needs its files).</summary>
    private static string[] Requirements(string path, string value) => (path, value) switch
    {
        ("data.kind", "coco" or "list") => ["data.train_annotations=a.json", "data.train_images=a", "data.val_annotations=b.json", "data.val_images=b"],
        ("data.kind", "voc") => ["data.root=voc"],
        _ => [],
    };

    private static string Nested(string path, string value)
    {
        string[] parts = path.Split('.');
        return string.Concat(parts[..^1].Select((p, i) => new string(' ', 2 * i) + p + ":\n")) + new string(' ', 2 * (parts.Length - 1)) + $"{parts[^1]}: {value}\n";
    }
}
