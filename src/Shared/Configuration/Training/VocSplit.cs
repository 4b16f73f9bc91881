using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>A VOC image set (ImageSets/Main/&lt;split&gt;.txt).</summary>
public enum VocSplit
{
    [ConfigName("train")] Train,
    [ConfigName("val")] Val,
    [ConfigName("trainval")] TrainVal,
    [ConfigName("test")] Test,
}
