namespace Asl.Distributed.Training.Loop;

/// <summary>Where a run is (epoch and batch, 1-based; 0 before the first), so that a failure anywhere can name it.</summary>
internal sealed class RunPosition
{
    public int Epoch { get; set; }

    public int Batch { get; set; }

    /// <summary>"epoch 7, batch 12", "epoch 7 (validation)", or "before training" — for one-line errors.</summary>
    public string Describe() => Epoch == 0 ? "before training" : Batch == 0 ? $"epoch {Epoch} (validation and checkpoint)" : $"epoch {Epoch}, batch {Batch}";
}
