namespace Asl.Distributed.Training.Data;

/// <summary>
/// What a data-set reader does with a record it cannot use (an unknown category, a label outside the class list,
/// an annotation pointing at an image that is not there, a malformed line). Problems with the file as a whole
/// (not valid JSON, no header row, no categories) always fail.
/// </summary>
public enum BadRecordPolicy
{
    /// <summary>Throw a <see cref="DataSetException"/> at the first bad record (the default).</summary>
    Fail,

    /// <summary>
    /// Leave the record out, count it and keep the first few messages in the <see cref="DataSetLoadReport"/>, so a
    /// large set with a handful of broken records still trains and the caller can say what was dropped.
    /// </summary>
    Skip,
}
