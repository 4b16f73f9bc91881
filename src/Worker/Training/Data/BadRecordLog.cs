namespace Asl.Distributed.Training.Data;

/// <summary>
/// Applies a reader's <see cref="BadRecordPolicy"/> to one file: throws at the first bad record, or counts it and
/// keeps the first few messages.
/// </summary>
internal sealed class BadRecordLog(string filePath, BadRecordPolicy policy, int maxExamples)
{
    private readonly List<string> _examples = [];
    private int _skipped;

    public void Add(string record, string problem) => Add(filePath, record, problem);

    /// <summary>A bad record in a file other than the main one (a VOC XML file, for example).</summary>
    public void Add(string file, string record, string problem)
    {
        var error = new DataSetException(file, record, problem);
        if (policy == BadRecordPolicy.Fail)
            throw error;
        _skipped++;
        if (_examples.Count < maxExamples)
            _examples.Add(error.Message);
    }

    /// <summary>
    /// Under <see cref="DataSetReaderOptions.VerifyImagesExist"/>, reports a missing image file; true when the sample
    /// can be kept.
    /// </summary>
    public bool CheckImage(DataSetReaderOptions options, string imagePath, string record)
    {
        if (!options.VerifyImagesExist || File.Exists(imagePath))
            return true;
        Add(record, $"image file '{imagePath}' does not exist");
        return false;
    }

    public DataSetLoadReport ToReport() => _skipped == 0 ? DataSetLoadReport.Clean : new(_skipped, _examples.ToArray());
}
