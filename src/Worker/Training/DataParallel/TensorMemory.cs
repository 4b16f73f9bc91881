using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// A <see cref="Memory{T}"/> over a contiguous float32 CPU tensor's own storage, so asynchronous collectives can
/// work on it in place (a span cannot cross an await). The tensor must outlive every use of the memory.
/// </summary>
internal sealed unsafe class TensorMemory : MemoryManager<float>
{
    private readonly Tensor _tensor;

    public TensorMemory(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"needs a contiguous float32 CPU tensor; got {tensor.dtype} on {tensor.device}", nameof(tensor));
        _tensor = tensor;
    }

    /// <summary>The address of a CPU tensor's first element.</summary>
    public static nint Address(Tensor tensor) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    public override Span<float> GetSpan() => new((void*)Address(_tensor), checked((int)_tensor.numel()));

    public override MemoryHandle Pin(int elementIndex = 0) => new((float*)Address(_tensor) + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
