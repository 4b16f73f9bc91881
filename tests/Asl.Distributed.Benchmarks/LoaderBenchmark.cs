using System.Diagnostics;
using System.Globalization;
using Asl.Distributed.Training.Data;
using Asl.Distributed.Training.Images;
using Asl.Distributed.Training.Loading;
using SkiaSharp;

namespace Asl.Distributed.Benchmarks;

/// <summary>
/// Loader throughput with the official train pipeline (squish resize, Cutout ½, RandAugment N = 2 M = 9) plus the
/// horizontal flip, on generated COCO-like JPEGs (500 × 375, quality 90), for several worker-thread counts. Each
/// batch is also turned into tensors, as a training step would. Prints the single-thread cost of each stage, then
/// images/s per worker count against what a ResNet-50 CPU step consumes.
/// Usage: loader [--images N] [--size S] [--batch B] [--workers 1,2] [--prefetch P] [--epochs E] [--seed S]
/// </summary>
internal static class LoaderBenchmark
{
    // A ResNet-50 training step at batch 8, 224², on these 2 cores consumes roughly 3–6 images/s; the target is 3×
    // the upper end.
    private const double ResNet50ImagesPerSecond = 6;

    /// <summary>Prints the markdown tables; returns 0, or 2 on an unknown argument.</summary>
    public static int Run(string[] args)
    {
        int images = 256, size = 224, batch = 32, prefetch = 2, epochs = 2, seed = 1;
        int[] workers = [1, 2];
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--images" when int.TryParse(value, out images) && images > 0:
                case "--size" when int.TryParse(value, out size) && size > 0:
                case "--batch" when int.TryParse(value, out batch) && batch > 0:
                case "--prefetch" when int.TryParse(value, out prefetch) && prefetch > 0:
                case "--epochs" when int.TryParse(value, out epochs) && epochs > 0:
                case "--seed" when int.TryParse(value, out seed):
                    i++;
                    break;
                case "--workers" when value is not null && TryParseList(value, out workers):
                    i++;
                    break;
                default:
                    Console.Error.WriteLine("usage: loader [--images N] [--size S] [--batch B] [--workers 1,2] [--prefetch P] [--epochs E] [--seed S]");
                    return 2;
            }
        }

        string directory = Path.Combine(Path.GetTempPath(), "asl-loader-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var dataset = WriteDataset(directory, images, seed);
            var options = new ImagePipelineOptions { ImageSize = size, HorizontalFlip = true };
            var pipeline = ImagePipeline.Train(options);
            Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {images} JPEGs of 500×375 (quality 90, "
                + $"{dataset.Samples.Average(s => new FileInfo(s.ImagePath).Length) / 1024:F0} KiB on average), train pipeline at {size}²: "
                + "resize, Cutout ½, RandAugment N=2 M=9, flip; batch " + batch + ", prefetch " + prefetch + ".");
            Console.WriteLine();
            StageCosts(dataset, pipeline);
            Console.WriteLine();
            Console.WriteLine("| worker threads | images/s | ms per batch | × ResNet-50 step's need (~6 images/s) |");
            Console.WriteLine("|---|---|---|---|");
            foreach (int count in workers)
            {
                double rate = Throughput(dataset, pipeline, new LoaderOptions { BatchSize = batch, WorkerCount = count, PrefetchBatches = prefetch, Seed = seed }, epochs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {count} | {rate:F1} | {batch / rate * 1000:F0} | {rate / ResNet50ImagesPerSecond:F1}× |"));
            }

            Console.WriteLine();
            Console.WriteLine($"Target: at least 3 × {ResNet50ImagesPerSecond} = {3 * ResNet50ImagesPerSecond} images/s.");
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void StageCosts(MultiLabelDataset dataset, ImagePipeline pipeline)
    {
        var decoded = dataset.Samples.Select(s => ImageDecoder.Decode(s.ImagePath)).ToList();
        var output = new float[pipeline.OutputLength];
        double decodeMs = PerImage(decoded.Count, i => ImageDecoder.Decode(dataset.Samples[i].ImagePath));
        double resizeMs = PerImage(decoded.Count, i => SquishResize.Apply(decoded[i], pipeline.ImageSize));
        double pipelineMs = PerImage(decoded.Count, i => pipeline.Process(decoded[i], SampleRandom.For(1, 0, i), output));

        Console.WriteLine("| stage (one thread) | ms per image |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| decode JPEG 500×375 | {decodeMs:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| squish resize to {pipeline.ImageSize}² | {resizeMs:F2} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| whole train pipeline (resize … CHW floats) | {pipelineMs:F2} |"));
    }

    // The second of two passes, so that JIT tiering does not land on whichever stage runs first.
    private static double PerImage(int count, Action<int> stage)
    {
        double milliseconds = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
                stage(i);
            milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds / count;
        }

        return milliseconds;
    }

    private static double Throughput(MultiLabelDataset dataset, ImagePipeline pipeline, LoaderOptions options, int epochs)
    {
        var sampler = new DistributedSampler(dataset.Samples.Count, seed: options.Seed);
        using var loader = new MultiLabelLoader(dataset, sampler, pipeline, options);
        // One warm-up epoch (JIT, page cache), then the timed ones.
        Consume(loader);
        int samples = 0;
        long start = Stopwatch.GetTimestamp();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            sampler.SetEpoch(epoch);
            samples += Consume(loader);
        }

        return samples / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static int Consume(MultiLabelLoader loader)
    {
        int samples = 0;
        foreach (var batch in loader.ReadEpoch())
        {
            var (pixels, targets) = batch.ToTensors();
            pixels.Dispose();
            targets.Dispose();
            samples += batch.Count;
        }

        return samples;
    }

    private static MultiLabelDataset WriteDataset(string directory, int count, int seed)
    {
        const int width = 500, height = 375, classes = 80;
        var random = new Random(seed);
        var samples = new MultiLabelSample[count];
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int i = 0; i < count; i++)
        {
            FillPhotoLike(bitmap, random);
            string path = Path.Combine(directory, $"{i:D6}.jpg");
            using (var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90))
            using (var file = File.Create(path))
                data.SaveTo(file);
            int[] labels = Enumerable.Range(0, classes).Where(_ => random.NextDouble() < 0.04).ToArray();
            samples[i] = new MultiLabelSample(path, labels, $"image {i}");
        }

        return new MultiLabelDataset("loader-benchmark", Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(), samples, directory);
    }

    // Smooth gradients, a few solid shapes and sensor-like noise: compresses and decodes like a photograph, unlike
    // a flat or a pure-noise image.
    private static unsafe void FillPhotoLike(SKBitmap bitmap, Random random)
    {
        double fx = random.NextDouble() * 0.05, fy = random.NextDouble() * 0.05, phase = random.NextDouble() * 6;
        byte* pixels = (byte*)bitmap.GetPixels();
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                byte* p = pixels + (y * bitmap.Width + x) * 4;
                int noise = random.Next(-8, 9);
                p[0] = Clamp(128 + 90 * Math.Sin(x * fx + phase) + noise);
                p[1] = Clamp(128 + 90 * Math.Cos(y * fy - phase) + noise);
                p[2] = Clamp(255.0 * (x + y) / (bitmap.Width + bitmap.Height) + noise);
                p[3] = 255;
            }
        }

        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint { IsAntialias = true };
        for (int s = 0; s < 6; s++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            canvas.DrawCircle(random.Next(bitmap.Width), random.Next(bitmap.Height), 15 + random.Next(60), paint);
        }
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(value, 0, 255);

    private static bool TryParseList(string value, out int[] list)
    {
        var parts = value.Split(',');
        list = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out list[i]) || list[i] < 1)
                return false;
        }

        return true;
    }
}
