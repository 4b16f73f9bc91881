using Asl.Distributed.Configuration.Schema;

namespace Asl.Distributed.Configuration.Training;

/// <summary>What a run does with a bad annotation record or an unreadable image (config <c>data.bad_records</c>).</summary>
public enum BadRecordHandling
{
    /// <summary>Stop naming the file and the record.</summary>
    [ConfigName("fail")] Fail,
    /// <summary>Count it, name the first few, and go on without it.</summary>
    [ConfigName("skip")] Skip,
}
