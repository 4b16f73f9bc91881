using System.Globalization;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Training.Devices;

/// <summary>
/// Turns <c>run.device</c> into the device a process trains on, before any work: <c>auto</c> takes a CUDA device when
/// one is usable and the CPU otherwise; <c>cuda</c> takes the process's own device (the local rank's, so that
/// <c>--nproc N</c> gives rank r <c>cuda:r</c>); <c>cuda:N</c> that one. A CUDA device that cannot be had fails with a
/// <see cref="ConfigException"/> on <c>run.device</c> that says what is missing: the CUDA natives, a visible device,
/// or the index.
/// </summary>
public static class DeviceResolver
{
    /// <summary>The config key this resolves, named in every refusal.</summary>
    public const string Key = "run.device";

    /// <summary>
    /// The device for <paramref name="requested"/> on a process whose local rank (its index among the ranks of its
    /// host) is <paramref name="localRank"/>, given what <paramref name="cuda"/> says is there.
    /// </summary>
    public static TrainingDevice Resolve(ComputeDevice requested, int localRank, CudaFacts cuda)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        switch (requested.Kind)
        {
            case DeviceKind.Cpu:
                return TrainingDevice.Cpu;
            case DeviceKind.Auto:
                return cuda.NativesLoaded && cuda.DeviceCount > 0 ? TrainingDevice.Cuda(localRank % cuda.DeviceCount) : TrainingDevice.Cpu;
        }
        string asked = requested.ToString();
        if (!cuda.NativesLoaded)
        {
            throw new ConfigException(Key, $"'{asked}' cannot be used: the loaded libtorch has no CUDA support (these are TorchSharp's CPU natives). " +
                $"Load a CUDA libtorch: set {TorchNatives.Variable} to the lib folder of a PyTorch built with CUDA, or build with " +
                "-p:TorchSharpBackend=cuda (see the README, Training on a GPU); allowed here: auto, cpu");
        }
        if (cuda.DeviceCount == 0)
        {
            string visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { } v ? $" (CUDA_VISIBLE_DEVICES is '{v}')" : "";
            throw new ConfigException(Key, $"'{asked}' cannot be used: the CUDA natives are loaded but the driver shows no device{visible}; " +
                "check the NVIDIA driver and the devices given to this process; allowed here: auto, cpu");
        }
        int index = requested.Index ?? localRank;
        if (index >= cuda.DeviceCount)
        {
            string why = requested.Index is null ? $" (the local rank {localRank}'s own device)" : "";
            throw new ConfigException(Key, string.Create(CultureInfo.InvariantCulture,
                $"'{asked}' asks for device {index}{why} but this process sees {cuda.DeviceCount} CUDA device(s); allowed: cuda:0 to cuda:{cuda.DeviceCount - 1}, cuda, auto, cpu"));
        }
        return TrainingDevice.Cuda(index);
    }

    /// <summary>
    /// <see cref="Resolve"/> for this process: global rank <paramref name="rank"/> (its local rank from
    /// <see cref="LocalRank"/>) against what the loaded libtorch offers (<see cref="CudaFacts.Read"/>).
    /// </summary>
    public static TrainingDevice ForThisProcess(ComputeDevice requested, int rank) => Resolve(requested, LocalRank.Of(rank), CudaFacts.Read());
}
