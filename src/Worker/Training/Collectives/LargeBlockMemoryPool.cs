using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Asl.Distributed.Training.Collectives;

/// <summary>
/// The memory pool of a rank's Kestrel server: pinned blocks of <see cref="BlockBytes"/> instead of Kestrel's 4 KiB.
/// Kestrel's socket transport receives into one pool block at a time, and its HTTP/2 layer copies frames through pipes
/// made of such blocks, so with 4 KiB blocks every MiB of a chunk costs 256 receive calls, pipe flushes and
/// thread-pool dispatches; that per-block overhead, not the copying, made the receiving side the bottleneck of a
/// link. A freed block is kept for reuse up to <see cref="MaxRetainedBlocks"/> per pool; beyond that it is left to
/// the garbage collector, so the memory held stays bounded by the links' flow-control windows.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Bytes per block: a quarter of a default 1 MiB chunk.</summary>
    public const int BlockBytes = 256 << 10;

    /// <summary>Free blocks kept per pool (16 MiB), about one stream's flow-control window.</summary>
    public const int MaxRetainedBlocks = 64;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _freeCount;

    public override int MaxBufferSize => BlockBytes;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockBytes);
        if (_free.TryDequeue(out var block))
            Interlocked.Decrement(ref _freeCount);
        else
            block = GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
        return new Block(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }

    private void Return(byte[] block)
    {
        if (Interlocked.Increment(ref _freeCount) <= MaxRetainedBlocks)
            _free.Enqueue(block);
        else
            Interlocked.Decrement(ref _freeCount);
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(LargeBlockMemoryPool));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } array)
                pool.Return(array);
        }
    }

    /// <summary>Hands Kestrel (transport, HTTP/2 pipes) large-block pools instead of its default 4 KiB ones.</summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
    }
}
