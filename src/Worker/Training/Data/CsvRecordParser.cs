using System.Text;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// CSV records of a list file: the header row names the <c>image</c> and <c>labels</c> columns (other columns
/// are ignored); fields may be double-quoted; labels within the field are separated by <c>;</c> or <c>|</c>. A
/// record is one line: quoted fields cannot span lines.
/// </summary>
internal sealed class CsvRecordParser : IListRecordParser
{
    private static readonly char[] _labelSeparators = [';', '|'];

    private readonly int _imageColumn;
    private readonly int _labelsColumn;
    private readonly List<string> _fields = [];
    private readonly StringBuilder _quoted = new();

    private CsvRecordParser(int imageColumn, int labelsColumn)
    {
        _imageColumn = imageColumn;
        _labelsColumn = labelsColumn;
    }

    /// <summary>Reads the header row; throws when it does not name both columns.</summary>
    public static CsvRecordParser FromHeader(string header, string filePath, int lineNumber)
    {
        var fields = new List<string>();
        if (!SplitFields(header, fields, new StringBuilder()))
            throw new DataSetException(filePath, $"line {lineNumber}", "the header row has an unterminated quoted field");
        int image = fields.FindIndex(f => f.Trim().Equals("image", StringComparison.OrdinalIgnoreCase));
        int labels = fields.FindIndex(f => f.Trim().Equals("labels", StringComparison.OrdinalIgnoreCase));
        if (image < 0 || labels < 0)
            throw new DataSetException(filePath, $"line {lineNumber}", $"the header row must name the columns 'image' and 'labels'; found: {string.Join(", ", fields.Select(f => $"'{f}'"))}");
        return new CsvRecordParser(image, labels);
    }

    public string? Parse(string line, out string image, List<string> labels)
    {
        image = "";
        if (!SplitFields(line, _fields, _quoted))
            return "has an unterminated quoted field";
        int needed = Math.Max(_imageColumn, _labelsColumn) + 1;
        if (_fields.Count < needed)
            return $"has {_fields.Count} field(s); the header needs at least {needed}";
        image = _fields[_imageColumn].Trim();
        if (image.Length == 0)
            return "has an empty image name";
        foreach (string label in _fields[_labelsColumn].Split(_labelSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            labels.Add(label);
        return null;
    }

    private static bool SplitFields(string line, List<string> fields, StringBuilder quoted)
    {
        fields.Clear();
        int i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                quoted.Clear();
                i++;
                while (true)
                {
                    int quote = line.IndexOf('"', i);
                    if (quote < 0)
                        return false;
                    quoted.Append(line, i, quote - i);
                    i = quote + 1;
                    if (i < line.Length && line[i] == '"')
                    {
                        quoted.Append('"');
                        i++;
                        continue;
                    }

                    break;
                }

                fields.Add(quoted.ToString());
                if (i == line.Length)
                    return true;
                if (line[i] != ',')
                    return false;
                i++;
                continue;
            }

            int comma = line.IndexOf(',', i);
            if (comma < 0)
            {
                fields.Add(line[i..]);
                return true;
            }

            fields.Add(line[i..comma]);
            i = comma + 1;
        }
    }
}
