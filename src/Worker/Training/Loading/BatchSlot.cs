namespace Asl.Distributed.Training.Loading;

/// <summary>
/// One reusable batch buffer of an epoch run and the bookkeeping of the batch being built in it: which batch, how many
/// rows are still being worked on, and each row's failure. Fields are guarded by the run's lock, except the batch's
/// rows, which belong to the worker that claimed them until the row is reported done.
/// </summary>
internal sealed class BatchSlot
{
    public BatchSlot(int capacity, int imageSize, int classCount)
    {
        Batch = new ImageBatch(capacity, imageSize, classCount);
        Failures = new Exception?[capacity];
    }

    public ImageBatch Batch { get; }

    public Exception?[] Failures { get; }

    public int BatchNumber { get; private set; } = -1;

    public int Rows { get; private set; }

    public int Remaining { get; set; }

    public void Reset(int batchNumber, int rows)
    {
        BatchNumber = batchNumber;
        Rows = rows;
        Remaining = rows;
        Array.Clear(Failures);
    }
}
