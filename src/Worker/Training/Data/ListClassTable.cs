namespace Asl.Distributed.Training.Data;

/// <summary>
/// The class list of a list file: either fixed in advance (a label outside it is a bad record) or grown from the
/// data in order of first appearance.
/// </summary>
internal sealed class ListClassTable
{
    private const int AllowedValuesShown = 20;

    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    private ListClassTable(bool isFixed, string? source)
    {
        IsFixed = isFixed;
        Source = source;
    }

    public bool IsFixed { get; }

    /// <summary>Where a fixed list came from, for messages.</summary>
    public string? Source { get; }

    public IReadOnlyList<string> Names => _names;

    public static ListClassTable Collecting() => new(false, null);

    public static ListClassTable FromNames(IReadOnlyList<string> names)
    {
        var table = new ListClassTable(true, "ClassNames");
        for (int i = 0; i < names.Count; i++)
        {
            string name = names[i]?.Trim() ?? "";
            if (name.Length == 0)
                throw new ArgumentException($"ClassNames[{i}] is empty.", nameof(names));
            if (!table.TryAddNew(name))
                throw new ArgumentException($"ClassNames[{i}] '{name}' repeats ClassNames[{table._index[name]}].", nameof(names));
        }

        return table;
    }

    public static ListClassTable FromFile(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new DataSetException(path, null, "the class list file does not exist");
        var table = new ListClassTable(true, path);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            string name = line.Trim();
            if (name.Length > 0 && !table.TryAddNew(name))
                throw new DataSetException(path, $"line {lineNumber}", $"class '{name}' is listed twice (first as class {table._index[name]})");
        }

        if (table._names.Count == 0)
            throw new DataSetException(path, null, "the class list file names no classes");
        return table;
    }

    /// <summary>The label of a name; a collecting table adds names it has not seen.</summary>
    public bool TryGetLabel(string name, out int label)
    {
        if (_index.TryGetValue(name, out label))
            return true;
        if (IsFixed)
            return false;
        label = _names.Count;
        TryAddNew(name);
        return true;
    }

    public string DescribeAllowed() =>
        $"allowed (from {Source}): {LabelLists.DescribeAllowed(_names, AllowedValuesShown)}";

    private bool TryAddNew(string name)
    {
        if (!_index.TryAdd(name, _names.Count))
            return false;
        _names.Add(name);
        return true;
    }
}
