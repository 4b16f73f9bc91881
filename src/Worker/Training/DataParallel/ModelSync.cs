using System.Runtime.InteropServices;
using Asl.Distributed.Training.Collectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Asl.Distributed.Training.DataParallel;

/// <summary>
/// Copies rank 0's tensors (parameters, buffers of any dtype) to every rank bit for bit: their bytes are packed into
/// one buffer, broadcast and unpacked, so a model, its EMA copy or its BatchNorm statistics become identical.
/// </summary>
public static class ModelSync
{
    /// <summary>Broadcasts every parameter and buffer of <paramref name="module"/> from rank 0.</summary>
    public static void BroadcastState(ProcessGroup group, nn.Module module, CancellationToken ct) =>
        Broadcast(group, module.parameters().Select(p => (Tensor)p).Concat(module.buffers()), ct);

    /// <summary>Broadcasts the buffers (BatchNorm statistics) of <paramref name="module"/> from rank 0.</summary>
    public static void BroadcastBuffers(ProcessGroup group, nn.Module module, CancellationToken ct) =>
        Broadcast(group, module.buffers(), ct);

    /// <summary>Broadcasts <paramref name="tensors"/> from rank 0; every rank passes tensors of the same shapes and dtypes, in the same order.</summary>
    public static void Broadcast(ProcessGroup group, IEnumerable<Tensor> tensors, CancellationToken ct)
    {
        if (group.WorldSize == 1)
            return;
        var list = tensors.ToList();
        long bytes = list.Sum(t => t.numel() * t.ElementSize);
        var packed = new float[(bytes + sizeof(float) - 1) / sizeof(float)];
        var packedBytes = MemoryMarshal.AsBytes(packed.AsSpan());
        using var noGrad = torch.no_grad();
        if (group.IsRoot)
            Walk(list, packedBytes, toPacked: true);
        group.BroadcastAsync(packed, ct).GetAwaiter().GetResult();
        if (!group.IsRoot)
            Walk(list, packedBytes, toPacked: false);
    }

    private static void Walk(List<Tensor> tensors, Span<byte> packed, bool toPacked)
    {
        int offset = 0;
        foreach (var tensor in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            int length = checked((int)(tensor.numel() * tensor.ElementSize));
            var bytes = cpu.bytes;
            if (toPacked)
            {
                bytes.CopyTo(packed.Slice(offset, length));
            }
            else
            {
                packed.Slice(offset, length).CopyTo(bytes);
                // The contiguous CPU copy is the tensor itself when it already was one; otherwise copy it back.
                if (tensor.device_type != DeviceType.CPU || TensorMemory.Address(cpu) != TensorMemory.Address(tensor))
                    tensor.copy_(cpu);
            }
            offset += length;
        }
    }
}
