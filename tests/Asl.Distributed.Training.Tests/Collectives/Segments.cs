using System.Buffers;

namespace Asl.Distributed.Training.Tests.Collectives;

/// <summary>Bytes as a multi-segment <see cref="ReadOnlySequence{T}"/>, as a pipe hands them out.</summary>
internal static class Segments
{
    /// <summary>Cuts <paramref name="bytes"/> into segments whose lengths cycle through <paramref name="lengths"/>.</summary>
    public static ReadOnlySequence<byte> Cut(byte[] bytes, int[] lengths)
    {
        Segment? first = null, last = null;
        int offset = 0;
        for (int i = 0; offset < bytes.Length; i++)
        {
            int length = Math.Min(lengths[i % lengths.Length], bytes.Length - offset);
            var segment = new Segment(bytes.AsMemory(offset, length), offset);
            if (last is null)
                first = segment;
            else
                last.Next = segment;
            last = segment;
            offset += length;
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}
