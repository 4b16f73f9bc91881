using System.Buffers;
using System.Text.Json;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// A <see cref="Utf8JsonReader"/> over a stream that refills its buffer as it goes, so a 450 MB annotation file is
/// read in a window of a few hundred kilobytes instead of being held (with its token index) in memory.
/// </summary>
internal ref struct StreamingJsonReader
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _length;
    private long _bufferStart;
    private bool _endOfStream;
    private Utf8JsonReader _reader;

    public StreamingJsonReader(Stream stream, int bufferSize = 256 * 1024)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        FillBuffer();
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        int start = _buffer.AsSpan(0, _length).StartsWith(bom) ? bom.Length : 0;
        if (start > 0)
        {
            _buffer.AsSpan(start, _length - start).CopyTo(_buffer);
            _length -= start;
            _bufferStart = start;
        }

        _reader = new Utf8JsonReader(_buffer.AsSpan(0, _length), _endOfStream, default);
    }

    public readonly JsonTokenType TokenType => _reader.TokenType;

    public readonly int CurrentDepth => _reader.CurrentDepth;

    /// <summary>Offset in the file just past the current token, for error messages.</summary>
    public readonly long BytePosition => _bufferStart + _reader.BytesConsumed;

    public bool Read()
    {
        while (!_reader.Read())
        {
            if (_endOfStream)
                return false;
            Refill();
        }

        return true;
    }

    /// <summary>Moves past the current value (or past the value of the current property name), however large.</summary>
    public void SkipValue()
    {
        if (TokenType == JsonTokenType.PropertyName && !Read())
            throw new JsonException("The file ends inside a value.");
        if (TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return;
        int depth = CurrentDepth;
        do
        {
            if (!Read())
                throw new JsonException("The file ends inside a value.");
        }
        while (CurrentDepth > depth || TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray));
    }

    public readonly bool ValueTextEquals(ReadOnlySpan<byte> utf8Text) => _reader.ValueTextEquals(utf8Text);

    public readonly string? GetString() => _reader.GetString();

    public readonly bool TryGetInt64(out long value)
    {
        value = 0;
        return TokenType == JsonTokenType.Number && _reader.TryGetInt64(out value);
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
            return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Refill()
    {
        int consumed = (int)_reader.BytesConsumed;
        int kept = _length - consumed;
        if (consumed == 0 && kept == _buffer.Length)
        {
            // One token (a very long string) is larger than the window: widen it rather than fail.
            byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, kept).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(consumed, kept).CopyTo(_buffer);
        }

        _bufferStart += consumed;
        _length = kept;
        FillBuffer();
        _reader = new Utf8JsonReader(_buffer.AsSpan(0, _length), _endOfStream, _reader.CurrentState);
    }

    private void FillBuffer()
    {
        while (_length < _buffer.Length)
        {
            int read = _stream.Read(_buffer, _length, _buffer.Length - _length);
            if (read == 0)
            {
                _endOfStream = true;
                return;
            }

            _length += read;
        }
    }
}
