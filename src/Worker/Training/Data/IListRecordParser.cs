namespace Asl.Distributed.Training.Data;

/// <summary>Splits one line of a list file into an image name and label names; one implementation per format.</summary>
internal interface IListRecordParser
{
    /// <summary>Parses <paramref name="line"/>; returns null on success or what is wrong with the line.</summary>
    string? Parse(string line, out string image, List<string> labels);
}
