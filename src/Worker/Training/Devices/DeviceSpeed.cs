using System.Diagnostics;
using System.Globalization;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.DataParallel;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// The speed figures of <c>asl-worker check --speed</c> (issue 17 §6), measured the way build/device/torch_reference.py
/// measures PyTorch on the same device: a ResNet-50 training step (forward, the official ASL, backward, Adam; no EMA,
/// a constant learning rate) in float32 and bfloat16, images per second; the asymmetric loss forward + backward
/// at (256, 9605); and the two-rank ring's busbw (on a GPU beside the CPU's, in the same run). Each figure runs warm-up steps first and times the rest to a synchronized end.
/// </summary>
public static class DeviceSpeed
{
    /// <summary>Runs every figure on <paramref name="device"/>; one line each.</summary>
    public static IEnumerable<string> Run(TrainingDevice device, int batch, int imageSize, int steps, int ringMib)
    {
        foreach (var precision in new[] { ComputePrecision.Float32, ComputePrecision.BFloat16 })
        {
            double seconds = StepSeconds(device, precision, batch, imageSize, steps);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"resnet50 {imageSize} px batch {batch} {ConfigNames.ToName(precision)} on {device}: {batch / seconds:0.0} images/s ({seconds * 1000:0.0} ms/step)");
        }
        double loss = LossSeconds(device, 256, 9605, steps * 5);
        yield return string.Create(CultureInfo.InvariantCulture, $"asl (256, 9605) forward+backward float32 on {device}: {loss * 1000:0.000} ms");
        foreach (var ringDevice in device.IsCuda ? new[] { device, TrainingDevice.Cpu } : [device])
            yield return RingFigure(ringDevice, ringMib, steps);
    }

    /// <summary>
    /// Two ranks over loopback sockets all-reduce <paramref name="mib"/> MiB of float32 gradients in 25 MiB buckets
    /// (DDP's default), staged through pinned host buffers when on a GPU; busbw as nccl-tests reports it (algbw ·
    /// 2(n − 1)/n, which for two ranks is bytes / time), timed to a synchronized end.
    /// </summary>
    private static string RingFigure(TrainingDevice device, int mib, int repetitions)
    {
        long floats = ((long)mib << 20) / sizeof(float);
        using var ranks = TwoRanks.Join();
        var seconds = ranks.Run(group =>
        {
            using var scope = NewDisposeScope();
            // Gradients as a model has them: parameters of up to a bucket each, their gradients views of one buffer.
            long piece = GradientBuckets.DefaultBucketBytes / sizeof(float);
            var parameters = new List<Parameter>();
            for (long start = 0; start < floats; start += piece)
                parameters.Add(new Parameter(torch.ones(Math.Min(piece, floats - start), device: device.Torch)));
            using var buckets = new GradientBuckets(parameters);
            return Timed(device, repetitions, _ => buckets.AllReduceAsync(group, average: true, CancellationToken.None).GetAwaiter().GetResult());
        });
        double slowest = seconds.Max();
        return string.Create(CultureInfo.InvariantCulture,
            $"ring all-reduce, 2 ranks over loopback sockets, {mib} MiB in 25 MiB buckets{(device.IsCuda ? ", staged through pinned host buffers" : "")} on {device}: " +
            $"{((long)mib << 20) / slowest / 1e9:0.00} GB/s busbw ({slowest * 1000:0.0} ms)");
    }

    private static double StepSeconds(TrainingDevice device, ComputePrecision precision, int batch, int imageSize, int steps)
    {
        var config = TrainingConfigLoader.Parse("", ["model.name=resnet50", $"image.size={imageSize}", "loss.preset=asl", "schedule.kind=constant",
            "schedule.epochs=1", "schedule.stop_epoch=0", "run.ema_decay=0", $"run.precision={ConfigNames.ToName(precision)}"]).Validate();
        using var models = TrainingModels.Create(config, () => ModelFactory.Create(ModelName.ResNet50, 80, imageSize), ProcessGroup.Single(), device);
        var step = new TrainingStep(models, new StepSchedule(config, steps + Warmup), ProcessGroup.Single(), config.Run.NanPolicy, TimeProvider.System);
        using var images = torch.randn([batch, 3, imageSize, imageSize], device: device.Torch);
        using var targets = torch.rand([batch, 80], device: device.Torch).lt(Rare).to(ScalarType.Float32);
        return Timed(device, steps, s =>
        {
            using var scope = NewDisposeScope();
            step.Run(images, targets, 1, s + 1, s, CancellationToken.None);
        });
    }

    private static double LossSeconds(TrainingDevice device, int rows, int classes, int steps)
    {
        var loss = new AsymmetricLoss(AsymmetricLossOptions.Official);
        using var logits = torch.randn([rows, classes], device: device.Torch).requires_grad_(true);
        using var targets = torch.rand([rows, classes], device: device.Torch).lt(Rare).to(ScalarType.Float32);
        return Timed(device, steps, _ =>
        {
            using var scope = NewDisposeScope();
            logits.grad = null;
            loss.forward(logits, targets).backward();
        });
    }

    private const int Warmup = 5;

    /// <summary>The share of positive labels, as a 0-dim tensor's threshold (a held Scalar: none is converted inline).</summary>
    private static readonly Scalar Rare = 0.05.ToScalar();

    private static double Timed(TrainingDevice device, int steps, Action<int> step)
    {
        for (int s = 0; s < Warmup; s++)
            step(s);
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < steps; s++)
            step(Warmup + s);
        Synchronize(device);
        return clock.Elapsed.TotalSeconds / steps;
    }

    private static void Synchronize(TrainingDevice device)
    {
        if (device.IsCuda)
            torch.cuda.synchronize(device.Torch);
    }
}
