using System.Text;
using System.Text.Json;
using Asl.Distributed.Training.Data;

namespace Asl.Distributed.Training.Tests.Data;

public sealed class StreamingJsonReaderTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(61)]
    [InlineData(4096)]
    public void Read_AnyWindowSize_GivesTheTokensOfAWholeBufferReader(int bufferSize)
    {
        byte[] json = Encoding.UTF8.GetBytes(CocoTestFiles.Instances.Replace("\"test\"", "\"" + new string('y', 300) + "\"", StringComparison.Ordinal));
        var expected = new List<string>();
        var whole = new Utf8JsonReader(json);
        while (whole.Read())
        {
            string value = whole.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? whole.GetString()!
                : whole.TokenType == JsonTokenType.Number && whole.TryGetInt64(out long number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : whole.TokenType.ToString();
            expected.Add($"{whole.TokenType}:{value}");
        }

        var actual = new List<string>();
        using var stream = new MemoryStream(json);
        var reader = new StreamingJsonReader(stream, bufferSize);
        try
        {
            while (reader.Read())
            {
                string value = reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? reader.GetString()!
                    : reader.TryGetInt64(out long number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : reader.TokenType.ToString();
                actual.Add($"{reader.TokenType}:{value}");
            }
        }
        finally
        {
            reader.Dispose();
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SkipValue_NestedValueAcrossRefills_LandsOnTheNextProperty()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"skip": {"a": [1, [2, [3, {"b": "long string here"}]]], "c": {}}, "keep": 7}""");
        using var stream = new MemoryStream(json);
        var reader = new StreamingJsonReader(stream, 16);
        try
        {
            Assert.True(reader.Read());
            Assert.True(reader.Read());
            Assert.True(reader.ValueTextEquals("skip"u8));
            reader.SkipValue();
            Assert.True(reader.Read());
            Assert.True(reader.ValueTextEquals("keep"u8));
            Assert.True(reader.Read());
            Assert.True(reader.TryGetInt64(out long value));
            Assert.Equal(7, value);
        }
        finally
        {
            reader.Dispose();
        }
    }
}
