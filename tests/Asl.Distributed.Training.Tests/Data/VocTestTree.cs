namespace Asl.Distributed.Training.Tests.Data;

/// <summary>Writes a miniature VOCdevkit/VOC2007 folder: split lists and one annotation XML per image.</summary>
internal static class VocTestTree
{
    /// <summary>Three images: 000001 (dog, difficult person), 000002 (only a difficult cat), 000003 (aeroplane, tvmonitor, dog with padded name).</summary>
    public static string Create(TempDirectory temp)
    {
        string root = temp.Combine("VOCdevkit/VOC2007");
        temp.Write("VOCdevkit/VOC2007/ImageSets/Main/train.txt", "000001\n000002\n\n000003\n");
        temp.Write("VOCdevkit/VOC2007/ImageSets/Main/val.txt", "000003\n");
        temp.Write("VOCdevkit/VOC2007/ImageSets/Main/dog_train.txt", "000001  1\n");
        WriteXml(temp, "000001", Object("dog", 0), Object("person", 1));
        WriteXml(temp, "000002", Object("cat", 1));
        WriteXml(temp, "000003", Object("aeroplane", 0), Object("tvmonitor", null), Object("  dog\n", 0));
        return root;
    }

    public static void WriteXml(TempDirectory temp, string id, params string[] objects) =>
        temp.Write($"VOCdevkit/VOC2007/Annotations/{id}.xml", $"""
            <annotation>
              <folder>VOC2007</folder>
              <filename>{id}.jpg</filename>
              <size><width>500</width><height>375</height><depth>3</depth></size>
              {string.Concat(objects)}
            </annotation>
            """);

    public static string Object(string name, int? difficult) => $"""
        <object>
          <name>{name}</name>
          <pose>Left</pose>
          <truncated>0</truncated>
          {(difficult is null ? "" : $"<difficult>{difficult}</difficult>")}
          <bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox>
        </object>
        """;
}
