using Microsoft.Extensions.Logging;

namespace Asl.Distributed.Training.Runs;

/// <summary>What assembling a run has to say: data read or generated, records skipped, weights loaded.</summary>
internal sealed partial class RunLog(ILogger logger)
{
    [LoggerMessage(Level = LogLevel.Information, Message = "data: {TrainImages} training and {ValidationImages} validation images, {Classes} classes")]
    public partial void DataSets(int trainImages, int validationImages, int classes);

    [LoggerMessage(Level = LogLevel.Information, Message = "generated {TrainImages} + {ValidationImages} synthetic images in {Folder} ({ImagesPerSecond:F0} images/s)")]
    public partial void Generated(int trainImages, int validationImages, string folder, double imagesPerSecond);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Split} annotations: {Report}")]
    public partial void AnnotationReport(string split, string report);

    [LoggerMessage(Level = LogLevel.Information, Message = "device: {Device}")]
    public partial void Device(string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "weights from {Path}: {Result}")]
    public partial void PretrainedWeights(string path, string result);
}
