using System.Buffers;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// Bytes of pinned memory (a tensor's storage, or an array pinned through <see cref="Memory{T}.Pin"/>) as a
/// <see cref="Memory{T}"/> a socket can read from or write into without a copy. Valid while the pin is held.
/// </summary>
internal sealed unsafe class PinnedBytes(MemoryHandle pinned, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(pinned.Pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)pinned.Pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
