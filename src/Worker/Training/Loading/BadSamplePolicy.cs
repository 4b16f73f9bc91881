namespace Asl.Distributed.Training.Loading;

/// <summary>What the loader does with a sample whose image is missing, unreadable or corrupt.</summary>
public enum BadSamplePolicy
{
    /// <summary>Stop the epoch with a <see cref="SampleLoadException"/> naming the file and the sample's record.</summary>
    Fail,

    /// <summary>
    /// Drop the sample (its batch is one shorter), count it and list it in the epoch's
    /// <see cref="LoaderEpochReport"/>. Only decode failures are skipped; any other error still fails.
    /// </summary>
    Skip,
}
