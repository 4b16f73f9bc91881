using System.Text.Json;

namespace Asl.Distributed.Training.Data;

/// <summary>
/// Reads a COCO instances file token by token with <see cref="StreamingJsonReader"/>, keeping ids and file names
/// and skipping segmentation polygons unread; COCO 2014 train (~450 MB) then needs tens of megabytes, where a
/// <see cref="JsonDocument"/> would hold the whole file and its token index (well over a gigabyte).
/// </summary>
internal static class CocoIndexReader
{
    public static CocoIndex Read(Stream stream, string filePath, BadRecordLog log, CancellationToken cancellationToken)
    {
        var index = new CocoIndex();
        var reader = new StreamingJsonReader(stream);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new DataSetException(filePath, null, "the file is not a COCO annotation file: it must hold one JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("images"u8))
                {
                    index.HasImages = true;
                    ReadArray(ref reader, filePath, "images", log, index, ReadImage, cancellationToken);
                }
                else if (reader.ValueTextEquals("annotations"u8))
                {
                    ReadArray(ref reader, filePath, "annotations", log, index, ReadAnnotation, cancellationToken);
                }
                else if (reader.ValueTextEquals("categories"u8))
                {
                    index.HasCategories = true;
                    ReadArray(ref reader, filePath, "categories", log, index, ReadCategory, cancellationToken);
                }
                else
                {
                    reader.SkipValue();
                }
            }

            if (reader.Read())
                throw new JsonException("There is more data after the top-level object.");
        }
        catch (JsonException error)
        {
            throw new DataSetException(filePath, null, $"the file is not valid JSON (near byte {reader.BytePosition}): {error.Message}", error);
        }
        finally
        {
            reader.Dispose();
        }

        return index;
    }

    private delegate string? ElementReader(ref StreamingJsonReader reader, CocoIndex index, int position);

    private static void ReadArray(
        ref StreamingJsonReader reader, string filePath, string section, BadRecordLog log, CocoIndex index,
        ElementReader readElement, CancellationToken cancellationToken)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            throw new DataSetException(filePath, null, $"'{section}' must be an array");
        int position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if ((position & 0xFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            string? problem;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                problem = readElement(ref reader, index, position);
            }
            else
            {
                reader.SkipValue();
                problem = "is not a JSON object";
            }

            if (problem is not null)
                log.Add($"{section}[{position}]", problem);
            position++;
        }
    }

    private static string? ReadImage(ref StreamingJsonReader reader, CocoIndex index, int position)
    {
        long? id = null;
        string? fileName = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
                id = ReadInteger(ref reader);
            else if (reader.ValueTextEquals("file_name"u8))
                fileName = ReadString(ref reader);
            else
                reader.SkipValue();
        }

        if (id is null)
            return "has no integer 'id'";
        if (string.IsNullOrEmpty(fileName))
            return $"(image id {id}) has no 'file_name'";
        index.Images.Add(new CocoIndex.Image(id.Value, fileName));
        return null;
    }

    private static string? ReadAnnotation(ref StreamingJsonReader reader, CocoIndex index, int position)
    {
        long? id = null, imageId = null, categoryId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
                id = ReadInteger(ref reader);
            else if (reader.ValueTextEquals("image_id"u8))
                imageId = ReadInteger(ref reader);
            else if (reader.ValueTextEquals("category_id"u8))
                categoryId = ReadInteger(ref reader);
            else
                reader.SkipValue();
        }

        if (imageId is null)
            return $"{AnnotationName(id)} has no integer 'image_id'";
        if (categoryId is null)
            return $"{AnnotationName(id)} (image id {imageId}) has no integer 'category_id'";
        index.Annotations.Add(new CocoIndex.Annotation(id, imageId.Value, categoryId.Value, position));
        return null;
    }

    private static string? ReadCategory(ref StreamingJsonReader reader, CocoIndex index, int position)
    {
        long? id = null;
        string? name = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
                id = ReadInteger(ref reader);
            else if (reader.ValueTextEquals("name"u8))
                name = ReadString(ref reader);
            else
                reader.SkipValue();
        }

        if (id is null)
            return "has no integer 'id'";
        if (string.IsNullOrEmpty(name))
            return $"(category id {id}) has no 'name'";
        index.Categories.Add(new CocoIndex.Category(id.Value, name));
        return null;
    }

    private static long? ReadInteger(ref StreamingJsonReader reader)
    {
        if (!reader.Read())
            throw new JsonException("The file ends inside an object.");
        if (reader.TryGetInt64(out long value))
            return value;
        reader.SkipValue();
        return null;
    }

    private static string? ReadString(ref StreamingJsonReader reader)
    {
        if (!reader.Read())
            throw new JsonException("The file ends inside an object.");
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString();
        reader.SkipValue();
        return null;
    }

    internal static string AnnotationName(long? id) => id is null ? "annotation without id" : $"annotation id {id}";
}
