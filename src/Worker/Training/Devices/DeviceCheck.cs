using System.Globalization;
using Asl.Distributed.Configuration.Training;
using Asl.Distributed.Losses;
using Asl.Distributed.Training.Collectives;
using Asl.Distributed.Training.Loop;
using Asl.Distributed.Training.Losses;
using Asl.Distributed.Training.Models;
using Asl.Distributed.Training.Precision;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// <c>asl-worker check --device D</c>: what a GPU machine (which has no test runner) must show before it trains, run
/// the same way on the CPU by the test suite so that it cannot rot. Each check compares the device against an
/// independent reference on the host: placement of a model and its output; the asymmetric loss and its gradient
/// against a float64 computation; the float16 loss scaler on a real float16 overflow; a few training steps against
/// the same steps on the CPU (bitwise on the CPU itself); a checkpoint of device tensors written and read back
/// bitwise; and two data-parallel ranks whose gradients go through host copies of the device buffers on the ring.
/// </summary>
public static partial class DeviceCheck
{
    private const int Classes = 12;

    /// <summary>Runs every check on <paramref name="device"/>; none throws, each reports.</summary>
    public static IReadOnlyList<DeviceCheckResult> Run(TrainingDevice device) =>
    [
        Check("placement", () => Placement(device)),
        Check("asymmetric loss and its gradient against float64", () => LossAgainstFloat64(device)),
        Check("float16 loss scaler on a real overflow", () => ScalerOnOverflow(device)),
        Check("training steps against the CPU", () => TrainingSteps(device)),
        Check("checkpoint written and read back", () => CheckpointRoundTrip(device)),
        Check("data-parallel ring through pinned buffers", () => StagedRing(device)),
    ];

    private static DeviceCheckResult Check(string name, Func<string> check)
    {
        try
        {
            using var scope = NewDisposeScope();
            return new DeviceCheckResult(name, DeviceCheckOutcome.Passed, check());
        }
        catch (Exception e) when (e is DeviceCheckException or System.Runtime.InteropServices.ExternalException or InvalidOperationException
            or ArgumentException or NotSupportedException)
        {
            return new DeviceCheckResult(name, DeviceCheckOutcome.Failed, e.Message.ReplaceLineEndings(" "));
        }
    }

    private static string Placement(TrainingDevice device)
    {
        var target = device.Torch;
        var model = ModelFactory.Create(ModelName.SmallCnn, Classes, 32).to(target);
        var misplaced = model.parameters().Count(p => !On(p, device));
        Require(misplaced == 0, $"{misplaced} parameter(s) of small_cnn are not on {device}");
        using var noGrad = torch.no_grad();
        model.eval();
        var output = model.forward(torch.rand([4, 3, 32, 32], device: target));
        Require(On(output, device), $"the output is on {output.device}, not {device}");
        Require(output.shape.SequenceEqual([4L, Classes]), $"the output has shape [{string.Join(", ", output.shape)}], not [4, {Classes}]");
        return string.Create(CultureInfo.InvariantCulture, $"{model.parameters().Count()} parameters of small_cnn and its output [4, {Classes}] on {device}");
    }

    private static string LossAgainstFloat64(TrainingDevice device)
    {
        var (logits, targets) = LossInputs(256, 80);
        var loss = new AsymmetricLoss(AsymmetricLossOptions.Official);
        var reference = logits.to(ScalarType.Float64).requires_grad_(true);
        var referenceValue = loss.forward(reference, targets.to(ScalarType.Float64));
        referenceValue.backward();
        var onDevice = logits.to(device.Torch).requires_grad_(true);
        var value = loss.forward(onDevice, targets.to(device.Torch));
        value.backward();
        double expected = referenceValue.item<double>(), actual = value.to(ScalarType.Float64).item<double>();
        double lossError = Math.Abs(actual - expected) / Math.Abs(expected);
        var gradient = onDevice.grad!.to(ScalarType.Float64).cpu();
        double gradientError = (gradient - reference.grad!).abs().max().item<double>() / reference.grad!.abs().max().item<double>();
        Require(lossError <= 1e-5, $"the loss {actual:R} differs from float64's {expected:R} by {lossError:0.00e+0} (relative; allowed: 1e-5)");
        Require(gradientError <= 1e-4, $"the gradient differs from float64's by {gradientError:0.00e+0} of its largest element (allowed: 1e-4)");
        return string.Create(CultureInfo.InvariantCulture, $"[256, 80] official ASL on {device}: loss off by {lossError:0.0e+0} (relative), gradient by {gradientError:0.0e+0} of its largest element");
    }

    private static string ScalerOnOverflow(TrainingDevice device)
    {
        var scaler = new DynamicLossScaler();
        float first = scaler.Scale;
        // 1,000 × 2^16 is far beyond float16's 65,504: the float16 gradient itself overflows.
        bool finite = ScaledStep(scaler, 1000f, device, out _);
        Require(!finite, "a float16 gradient of 1000 × 2^16 was reported finite");
        scaler.Update(foundNonFinite: true);
        Require(scaler.Scale == first / 2, $"the scale went from {first} to {scaler.Scale}, not to {first / 2}");
        // 1/1024 × 2^15 = 32 fits, and unscaled it is exact in float16 and float32.
        finite = ScaledStep(scaler, 1f / 1024, device, out float unscaled);
        Require(finite, "a float16 gradient of 2^-10 × 2^15 was reported non-finite");
        Require(unscaled == 1f / 1024, $"the unscaled gradient is {unscaled:R}, not 2^-10");
        return string.Create(CultureInfo.InvariantCulture, $"on {device}: overflow found, scale {first} -> {scaler.Scale}; then the gradient 2^-10 came back exactly");
    }

    /// <summary>Backward of the scaled float32 loss sum(w·x) through float16 w and x; the float32 master gradient unscaled.</summary>
    private static bool ScaledStep(DynamicLossScaler scaler, float x, TrainingDevice device, out float unscaled)
    {
        var weights = torch.ones(16, ScalarType.Float16, device.Torch).requires_grad_(true);
        var inputs = torch.tensor(Enumerable.Repeat(x, 16).ToArray()).to(ScalarType.Float16).to(device.Torch);
        scaler.ScaleLoss(weights.mul(inputs).sum().to(ScalarType.Float32)).backward();
        var master = weights.grad!.to(ScalarType.Float32);
        bool finite = scaler.UnscaleGradients([master]);
        unscaled = master[0].cpu().item<float>();
        return finite;
    }

    private static string TrainingSteps(TrainingDevice device)
    {
        var onDevice = Train(device);
        var onCpu = Train(TrainingDevice.Cpu);
        double worst = onDevice.Zip(onCpu, (d, c) => Math.Abs(d - c) / Math.Abs(c)).Max();
        Require(onDevice.All(double.IsFinite), $"a loss was not finite: {string.Join(", ", onDevice)}");
        // On the CPU the same steps must give the same numbers bit for bit; on CUDA other kernels round differently.
        Require(device.IsCuda ? worst <= 1e-3 : worst == 0, $"the losses {Join(onDevice)} differ from the CPU's {Join(onCpu)} by {worst:0.00e+0} (relative)");
        return string.Create(CultureInfo.InvariantCulture, $"{onDevice.Length} Adam steps of an MLP with the official ASL on {device}: losses {Join(onDevice)}, off the CPU's by at most {worst:0.0e+0}");
    }

    private static string CheckpointRoundTrip(TrainingDevice device)
    {
        string folder = Directory.CreateTempSubdirectory("asl-device-check-").FullName;
        try
        {
            string path = Path.Combine(folder, "last.ckpt");
            var state = new CheckpointState(1, 4, "", double.NaN, 0, null, "", 0);
            using var trained = Models(device, seed: 7);
            Train(trained, device);
            CheckpointFile.Write(path, state, trained.Model, trained.Ema?.Ema, trained.Optimizer);
            // Other weights to start from: reading must replace every one of them.
            using var restored = Models(device, seed: 8);
            CheckpointFile.Read(path, restored.Model, restored.Ema?.Ema, restored.Optimizer);
            int differing = Differing(trained.Model, restored.Model) + Differing(trained.Ema!.Ema, restored.Ema!.Ema);
            Require(differing == 0, $"{differing} tensor(s) of the model and its EMA differ after the checkpoint was read back on {device}");
            Require(OptimizerBytes(trained).AsSpan().SequenceEqual(OptimizerBytes(restored)), $"Adam's state differs after the checkpoint was read back on {device}");
            Require(restored.Model.parameters().All(p => On(p, device)), $"reading the checkpoint moved parameters off {device}");
            return string.Create(CultureInfo.InvariantCulture, $"weights, EMA and Adam's state on {device} bitwise the same after {new FileInfo(path).Length} bytes on disk");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Differing(nn.Module a, nn.Module b) =>
        a.state_dict().Zip(b.state_dict(), (x, y) => x.Value.cpu().bytes.SequenceEqual(y.Value.cpu().bytes) ? 0 : 1).Sum();

    private static byte[] OptimizerBytes(TrainingModels models)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            models.Optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>The checks' training config: the official ASL, Adam at a constant rate, an EMA.</summary>
    private static TrainingConfig CheckConfig(int seed) => TrainingConfigLoader.Parse("", ["loss.preset=asl", "optimizer.lr=0.01", "schedule.kind=constant",
        "schedule.epochs=1", "schedule.stop_epoch=0", "run.ema_decay=0.9", $"seed={seed}"]).Validate();

    private static TrainingModels Models(TrainingDevice device, int seed)
    {
        var config = CheckConfig(seed);
        return TrainingModels.Create(config, () => nn.Sequential(("flatten", nn.Flatten()), ("fc1", nn.Linear(48, 32)), ("relu", nn.ReLU()),
            ("fc2", nn.Linear(32, Classes))), ProcessGroup.Single(), device);
    }

    /// <summary>The step losses of a few steps on fixed data, from the same seed.</summary>
    private static double[] Train(TrainingDevice device)
    {
        using var models = Models(device, seed: 7);
        return Train(models, device);
    }

    private static double[] Train(TrainingModels models, TrainingDevice device)
    {
        var config = CheckConfig(seed: 7);
        var step = new TrainingStep(models, new StepSchedule(config, 10), ProcessGroup.Single(), config.Run.NanPolicy, TimeProvider.System);
        var (images, targets) = LossInputs(32, 48);
        var losses = new double[4];
        for (int s = 0; s < losses.Length; s++)
        {
            using var scope = NewDisposeScope();
            var result = step.Run(images.reshape(32, 3, 4, 4).to(device.Torch), targets.narrow(1, 0, Classes).to(device.Torch), 1, s + 1, s, CancellationToken.None)
                ?? throw new DeviceCheckException($"step {s + 1} was skipped");
            losses[s] = result.Loss;
        }
        return losses;
    }

    /// <summary>Seeded inputs made on the host, so that every device gets the same numbers: logits ~ N(0, 4), targets with about 1 in 8 positive.</summary>
    private static (Tensor Logits, Tensor Targets) LossInputs(int rows, int columns)
    {
        var random = new Random(11);
        var logits = new float[rows * columns];
        var targets = new float[rows * columns];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)(2 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            targets[i] = random.Next(8) == 0 ? 1 : 0;
        }
        return (torch.tensor(logits).reshape(rows, columns), torch.tensor(targets).reshape(rows, columns));
    }

    private static bool On(Tensor tensor, TrainingDevice device) =>
        device.CudaIndex is { } index ? tensor.device_type == DeviceType.CUDA && tensor.device_index == index : tensor.device_type == DeviceType.CPU;

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)));

    private static void Require(bool condition, string failure)
    {
        if (!condition)
            throw new DeviceCheckException(failure);
    }
}
