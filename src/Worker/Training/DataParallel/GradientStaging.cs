using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// A host copy of a gradient buffer that lives on a device, for the ring, which reads and writes host memory: each
/// bucket goes out to the host copy, is all-reduced there, and comes back. On CUDA the host copy is pinned and both
/// copies are non-blocking (queued on the device's stream behind the kernels that wrote the gradients, ahead of the
/// optimizer's that read them); TorchSharp has no CUDA events, so <see cref="WaitForCopies"/> orders the host after
/// them with <c>torch.cuda.synchronize</c>. On the CPU (tests, and the device check's CPU run) the same path runs with
/// a plain host copy and synchronous copies.
/// </summary>
internal sealed class GradientStaging : IDisposable
{
    private readonly Tensor _device;
    private readonly Tensor _host;
    private readonly Device? _cuda;

    /// <summary>Stages <paramref name="deviceBuffer"/> (a flat float32 tensor on any device; not owned).</summary>
    public GradientStaging(Tensor deviceBuffer)
    {
        _device = deviceBuffer;
        _cuda = deviceBuffer.device_type == DeviceType.CUDA ? deviceBuffer.device : null;
        using var host = torch.empty(deviceBuffer.numel(), ScalarType.Float32);
        _host = (_cuda is null ? host.alias() : host.pin_memory()).DetachFromDisposeScope();
    }

    /// <summary>Whether the host copy is pinned (page-locked), as non-blocking device copies need.</summary>
    public bool Pinned => _cuda is not null && _host.is_pinned();

    /// <summary>The host copy's memory, where the ring works.</summary>
    public Memory<float> Host => new TensorMemory(_host).Memory;

    /// <summary>Starts copying floats [start, start + length) from the device to the host copy (on the CPU: copies them).</summary>
    public void CopyOut(long start, long length)
    {
        using var from = _device.narrow(0, start, length);
        using var to = _host.narrow(0, start, length);
        to.copy_(from, nonBlocking: _cuda is not null);
    }

    /// <summary>Waits until every copy started so far (and every kernel before it) is done.</summary>
    public void WaitForCopies()
    {
        if (_cuda is not null)
            torch.cuda.synchronize(_cuda);
    }

    /// <summary>Starts copying floats [start, start + length) of the host copy back into the device buffer.</summary>
    public void CopyBack(long start, long length)
    {
        using var from = _host.narrow(0, start, length);
        using var to = _device.narrow(0, start, length);
        to.copy_(from, nonBlocking: _cuda is not null);
    }

    public void Dispose() => _host.Dispose();
}
