namespace Asl.Distributed.Training.Data;

/// <summary>
/// An annotation or list file that a data-set reader cannot use. The message names the file, the record (image id,
/// line number, XML file) and, where it applies, the values that would have been accepted, so the fix can be made
/// without a debugger.
/// </summary>
public sealed class DataSetException : Exception
{
    /// <summary>Creates an exception for a problem with the file as a whole or with one record of it.</summary>
    /// <param name="filePath">The annotation, list or class file.</param>
    /// <param name="record">The record within the file (for example "image id 139" or "line 12"), or null.</param>
    /// <param name="problem">What is wrong, in words.</param>
    /// <param name="innerException">The parser's exception, if there was one.</param>
    public DataSetException(string filePath, string? record, string problem, Exception? innerException = null)
        : base(Compose(filePath, record, problem), innerException)
    {
        FilePath = filePath;
        Record = record;
    }

    /// <summary>The file the problem is in.</summary>
    public string FilePath { get; }

    /// <summary>The record within the file, or null when the file as a whole is unusable.</summary>
    public string? Record { get; }

    private static string Compose(string filePath, string? record, string problem) =>
        record is null ? $"{filePath}: {problem}" : $"{filePath}, {record}: {problem}";
}
