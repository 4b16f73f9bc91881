using System.Globalization;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Shared.Tests.Configuration;

/// <summary>
/// Every numeric key of the schema refuses unparsable and non-finite numbers, in a file and in an override, with
/// an error naming the key and its allowed values; and every bound of every range is enforced.
/// </summary>
public sealed class NumericValueTests
{
    private static readonly string[] NotFinite = ["NaN", "nan", "NAN", "Infinity", "-Infinity", "inf", "-inf", ".nan", ".inf", "-.inf", "1e999"];

    public static TheoryData<string, string> BadNumbers()
    {
        var data = new TheoryData<string, string>();
        foreach (var key in TrainingConfig.Schema.Keys.Where(k => k.Kind is SettingKind.Number or SettingKind.Integer))
        {
            // An empty value is null: for an optional key (a loss override) that means "from the preset".
            foreach (string text in NotFinite.Concat(["x", "1,5"]).Concat(key.Optional ? [] : [""]).Concat(key.Kind == SettingKind.Integer ? ["1.5", "1e3"] : []))
                data.Add(key.Path, text);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void NumericKey_BadValueInOverride_IsAConfigErrorNamingKeyAndAllowedValues(string path, string text)
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse("", [$"{path}={text}"]));
        AssertNamesKey(error, path);
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void NumericKey_BadValueInYaml_IsAConfigErrorNamingKeyAndAllowedValues(string path, string text)
    {
        string[] parts = path.Split('.');
        string yaml = string.Concat(parts[..^1].Select((p, i) => new string(' ', 2 * i) + p + ":\n")) + new string(' ', 2 * (parts.Length - 1)) + $"{parts[^1]}: {text}\n";
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(yaml));
        AssertNamesKey(error, path);
    }

    public static TheoryData<string, string> OutOfRange()
    {
        var data = new TheoryData<string, string>();
        foreach (var key in TrainingConfig.Schema.Keys.Where(k => k.Kind is SettingKind.Number or SettingKind.Integer))
        {
            double step = key.Kind == SettingKind.Integer ? 1 : 1e-9 * Math.Max(1, Math.Abs(key.Min ?? key.Max ?? 1));
            if (key.Min is { } min)
                data.Add(key.Path, Text(key, key.MinExclusive ? min : min - step));
            if (key.Max is { } max)
                data.Add(key.Path, Text(key, key.MaxExclusive ? max : max + step));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void NumericKey_JustOutsideItsRange_IsRefusedNamingTheRange(string path, string text)
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse(RequiredFor(path), [$"{path}={text}"]));
        var problem = Assert.Single(error.Problems);
        Assert.Equal(path, problem.Key);
        Assert.Contains("is out of range; allowed:", problem.Message);
    }

    [Fact]
    public void OutOfRange_CoversEveryBoundedKey()
    {
        int bounds = TrainingConfig.Schema.Keys.Sum(k => (k.Min is null ? 0 : 1) + (k.Max is null ? 0 : 1));
        Assert.True(bounds >= 40, $"{bounds} bounds");
        Assert.Equal(bounds, OutOfRange().Count());
    }

    [Fact]
    public void Override_NaNLearningRate_NamesTheKeyInOneLine()
    {
        var error = Assert.Throws<ConfigException>(() => TrainingConfigLoader.Parse("", ["optimizer.lr=NaN"]));
        Assert.Equal("optimizer.lr: 'NaN' is not a finite number; allowed: a finite number > 0", error.Message);
    }

    private static void AssertNamesKey(ConfigException error, string path)
    {
        var problem = Assert.Single(error.Problems);
        Assert.Equal(path, problem.Key);
        var key = TrainingConfig.Schema.Find(path)!;
        Assert.EndsWith($"allowed: {key.Allowed}", problem.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    private static string Text(SettingKey key, double value) =>
        key.Kind == SettingKind.Integer ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Keys whose range check depends on another key's value get room for the bound under test.</summary>
    private static string RequiredFor(string path) => path switch
    {
        "schedule.stop_epoch" => "schedule:\n  epochs: 100000\n",
        "schedule.base_momentum" => "schedule:\n  max_momentum: 1\n",
        "schedule.max_momentum" => "schedule:\n  base_momentum: 0\n",
        _ => "",
    };
}
