using Asl.Distributed.Training.Collectives;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>Forwards to an inner link and throws an <see cref="IOException"/> on every call after the first few.</summary>
internal sealed class FaultyRingLink(IRingLink inner, int callsBeforeFault) : IRingLink
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask SendAsync(ReadOnlyMemory<float> chunk, long tag, WireFormat format, CancellationToken ct)
    {
        ThrowWhenDue();
        return inner.SendAsync(chunk, tag, format, ct);
    }

    public ValueTask ReceiveAsync(Memory<float> destination, long tag, WireFormat format, Accumulation accumulation, CancellationToken ct)
    {
        ThrowWhenDue();
        return inner.ReceiveAsync(destination, tag, format, accumulation, ct);
    }

    private void ThrowWhenDue()
    {
        if (Interlocked.Increment(ref _calls) > callsBeforeFault)
            throw new IOException("Injected link fault.");
    }
}
