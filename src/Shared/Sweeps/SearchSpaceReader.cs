using System.Globalization;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using YamlDotNet.RepresentationModel;

namespace Asl.Distributed.Sweeps;

/// <summary>
/// Reads <c>search_space</c>: dotted training keys, each with one domain. Every value a trial may receive is set on
/// a scratch copy of the base through the key schema: each listed value, and both ends of a range (for randint the
/// largest integer below its upper bound).
/// </summary>
internal static class SearchSpaceReader
{
    private const string Forms = "grid: [v, ...], choice: [v, ...], uniform: [lo, hi], loguniform: [lo, hi], randint: [lo, hi], qrandint: [lo, hi, q]";

    public static List<SweepDimension> Read(YamlNode? node, TrainingConfig scratch, SweepAlgorithmKind kind, List<ConfigProblem> problems)
    {
        var dimensions = new List<SweepDimension>();
        if (node is null || SettingValueReader.IsNull(node))
            return dimensions;
        if (node is not YamlMappingNode mapping)
        {
            problems.Add(new ConfigProblem("search_space", "must map training keys to domains, for example loss.gamma_neg: {uniform: [1, 6]}; allowed domains: " + Forms));
            return dimensions;
        }
        foreach (var (keyNode, domainNode) in mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? "";
            string path = $"search_space.{key}";
            if (SweptKeys.Find(key, path, kind, problems) is not { } setting)
                continue;
            if (domainNode is not YamlMappingNode { Children.Count: 1 } domain)
            {
                problems.Add(new ConfigProblem(path, "must be one domain; allowed: " + Forms));
                continue;
            }
            var (nameNode, argumentsNode) = domain.Children.Single();
            string name = (nameNode as YamlScalarNode)?.Value ?? "";
            if (ConfigNames.TryParse(typeof(DomainKind), name) is not DomainKind domainKind)
            {
                problems.Add(new ConfigProblem($"{path}.{name}",
                    $"unknown domain{NearestName.Hint(name, ConfigNames.Of<DomainKind>())}; allowed: {string.Join(", ", ConfigNames.Of<DomainKind>())}"));
                continue;
            }
            var reading = new DomainReading(scratch, setting, $"{path}.{ConfigNames.ToName(domainKind)}", problems);
            if (reading.Read(domainKind, argumentsNode) is { } read)
                dimensions.Add(new SweepDimension(key, read));
        }
        return dimensions;
    }

    /// <summary>One domain's arguments, read and checked against its key; null (with the problems added) when unusable.</summary>
    private sealed class DomainReading(TrainingConfig scratch, SettingKey key, string path, List<ConfigProblem> problems)
    {
        public SearchDomain? Read(DomainKind kind, YamlNode arguments)
        {
            if (arguments is not YamlSequenceNode list)
                return Fail<SearchDomain>($"must be a list; allowed: {Usage(kind)}");
            return kind switch
            {
                DomainKind.Grid => Listed(list, unique: true) is { } grid ? new GridDomain(grid) : null,
                DomainKind.Choice => Listed(list, unique: false) is { } choice ? new ChoiceDomain(choice) : null,
                DomainKind.Uniform => Range(kind, list) is { } u ? new UniformDomain(u.Lower, u.Upper) : null,
                DomainKind.LogUniform => Range(kind, list) is { } l ? new LogUniformDomain(l.Lower, l.Upper) : null,
                DomainKind.RandInt => IntegerRange(kind, list, 2) is { } r ? new RandIntDomain(r[0], r[1]) : null,
                _ => IntegerRange(kind, list, 3) is { } q ? new QRandIntDomain(q[0], q[1], q[2]) : null,
            };
        }

        private ValueList<string>? Listed(YamlSequenceNode list, bool unique)
        {
            if (list.Children.Count == 0)
                return Fail<ValueList<string>>($"is empty; allowed: a list of one or more values for {key.Path} ({key.Allowed})");
            var values = new List<string>();
            bool ok = true;
            for (int i = 0; i < list.Children.Count; i++)
            {
                string? value = SweptKeys.Read(scratch, key, list.Children[i], $"{path}[{i}]", problems);
                if (value is not null && unique && values.Contains(value))
                {
                    problems.Add(new ConfigProblem($"{path}[{i}]", $"{value} is listed twice; allowed: each value once (every value of a grid is a trial)"));
                    value = null;
                }
                ok &= value is not null;
                values.Add(value ?? "");
            }
            return ok ? new ValueList<string>(values) : null;
        }

        private Bounds? Range(DomainKind kind, YamlSequenceNode list)
        {
            if (key.Kind != SettingKind.Number)
                return WrongKey<Bounds>(kind);
            if (list.Children.Count != 2)
                return Fail<Bounds>($"has {list.Children.Count} values; allowed: {Usage(kind)}");
            double? lo = Number(list, 0);
            double? hi = Number(list, 1);
            if (lo is not { } lower || hi is not { } upper)
                return null;
            if (kind == DomainKind.LogUniform && !(lower > 0))
                return Fail<Bounds>($"{SettingKey.Format(lower)} is not above 0; allowed: {Usage(kind)}", "[0]");
            if (!(lower < upper))
                return Fail<Bounds>($"[{SettingKey.Format(lower)}, {SettingKey.Format(upper)}] is empty; allowed: {Usage(kind)}");
            bool ends = End(SettingKey.Format(lower), 0, "") & End(SettingKey.Format(upper), 1, "");
            return ends ? new Bounds(lower, upper) : null;
        }

        private long[]? IntegerRange(DomainKind kind, YamlSequenceNode list, int count)
        {
            if (key.Kind is not (SettingKind.Integer or SettingKind.Number))
                return WrongKey<long[]>(kind);
            if (list.Children.Count != count)
                return Fail<long[]>($"has {list.Children.Count} values; allowed: {Usage(kind)}");
            var values = new long[count];
            for (int i = 0; i < count; i++)
            {
                string text = (list.Children[i] as YamlScalarNode)?.Value ?? "";
                if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
                    return Fail<long[]>($"'{text}' is not an integer; allowed: {Usage(kind)}", $"[{i}]");
            }
            long lower = values[0];
            long upper = values[1];
            if (kind == DomainKind.QRandInt && values[2] < 1)
                return Fail<long[]>($"q {values[2]} is not a positive integer; allowed: {Usage(kind)}", "[2]");
            if (kind == DomainKind.QRandInt && (lower % values[2] != 0 || upper % values[2] != 0))
                return Fail<long[]>($"[{lower}, {upper}] are not both multiples of q {values[2]}; allowed: {Usage(kind)}");
            if (kind == DomainKind.RandInt ? lower >= upper : lower > upper)
                return Fail<long[]>($"[{lower}, {upper}] holds no integer; allowed: {Usage(kind)}");
            long largest = kind == DomainKind.RandInt ? upper - 1 : upper;
            string note = kind == DomainKind.RandInt ? $" (randint excludes its upper bound, so {largest} is the largest value drawn)" : "";
            bool ends = End(Text(lower), 0, "") & End(Text(largest), 1, note);
            return ends ? values : null;
        }

        private double? Number(YamlSequenceNode list, int index)
        {
            string text = (list.Children[index] as YamlScalarNode)?.Value ?? "";
            if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
                return value;
            problems.Add(new ConfigProblem($"{path}[{index}]", $"'{text}' is not a finite number; allowed: {Usage(DomainKind.Uniform)}"));
            return null;
        }

        private bool End(string text, int index, string note) =>
            SweptKeys.Read(scratch, key, new YamlScalarNode(text), $"{path}[{index}]", problems, note) is not null;

        private T? WrongKey<T>(DomainKind kind) where T : class
        {
            string allowed = key.Kind switch
            {
                SettingKind.Integer => "grid, choice, randint, qrandint",
                SettingKind.Number => "grid, choice, uniform, loguniform, randint, qrandint",
                _ => "grid, choice",
            };
            string what = key.Kind == SettingKind.Integer
                ? $"{ConfigNames.ToName(kind)} gives fractional values and {key.Path} is an integer key"
                : $"{ConfigNames.ToName(kind)} gives numbers and {key.Path} is a {key.TypeName} key";
            return Fail<T>($"{what}; allowed for {key.Path}: {allowed}");
        }

        private T? Fail<T>(string message, string at = "") where T : class
        {
            problems.Add(new ConfigProblem(path + at, message));
            return null;
        }

        private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Usage(DomainKind kind) => kind switch
        {
            DomainKind.Uniform => "uniform: [lo, hi], two finite numbers with lo < hi",
            DomainKind.LogUniform => "loguniform: [lo, hi], two finite numbers with 0 < lo < hi",
            DomainKind.RandInt => "randint: [lo, hi], two integers with lo < hi (hi excluded)",
            DomainKind.QRandInt => "qrandint: [lo, hi, q], integers with q >= 1 and lo <= hi, lo and hi multiples of q (hi included)",
            _ => $"{ConfigNames.ToName(kind)}: [v, ...], one or more values",
        };

        private sealed record Bounds(double Lower, double Upper);
    }
}
