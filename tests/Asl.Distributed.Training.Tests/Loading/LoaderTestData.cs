using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using Asl.Distributed.Training.Tests.Images;
using SkiaSharp;

namespace Asl.Distributed.Training.Tests.Loading;

/// <summary>A small on-disk data set of generated JPEGs and PNGs, some of which can be missing or corrupt.</summary>
internal sealed class LoaderTestData : IDisposable
{
    public const int ClassCount = 5;

    private readonly TempDirectory _directory = new();

    /// <param name="count">Number of samples.</param>
    /// <param name="missing">Sample indices whose file is never written.</param>
    /// <param name="corrupt">Sample indices whose file holds a truncated JPEG.</param>
    public LoaderTestData(int count, IEnumerable<int>? missing = null, IEnumerable<int>? corrupt = null)
    {
        var missingSet = (missing ?? []).ToHashSet();
        var corruptSet = (corrupt ?? []).ToHashSet();
        var samples = new List<MultiLabelSample>();
        for (int i = 0; i < count; i++)
        {
            bool png = i % 3 == 0;
            string name = $"img{i:D3}.{(png ? "png" : "jpg")}";
            string path = Path.Combine(_directory.Path, name);
            if (!missingSet.Contains(i))
            {
                var image = TestImages.Photo(30 + i % 7 * 5, 20 + i % 5 * 4, seed: i);
                byte[] encoded = TestImages.Encode(image, png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(path, corruptSet.Contains(i) ? encoded[..(encoded.Length / 3)] : encoded);
            }

            int[] labels = Enumerable.Range(0, ClassCount).Where(c => (i + c) % 3 == 0).ToArray();
            samples.Add(new MultiLabelSample(path, labels, $"line {i + 1}"));
        }

        Dataset = new MultiLabelDataset("loader-test", Enumerable.Range(0, ClassCount).Select(c => $"class{c}").ToArray(), samples, _directory.Path);
    }

    public MultiLabelDataset Dataset { get; }

    public static ImagePipeline Pipeline() => ImagePipeline.Train(new ImagePipelineOptions { ImageSize = 16, HorizontalFlip = true });

    /// <summary>Every batch's pixels, targets and indices, copied (the loader reuses its buffers).</summary>
    public static List<(float[] Pixels, float[] Targets, int[] Indices)> ReadAll(MultiLabelLoader loader, CancellationToken cancellationToken = default) =>
        loader.ReadEpoch(cancellationToken).Select(b => (b.Pixels.ToArray(), b.Targets.ToArray(), b.SampleIndices.ToArray())).ToList();

    public void Dispose() => _directory.Dispose();
}
