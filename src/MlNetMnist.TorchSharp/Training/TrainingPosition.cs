namespace MlNetMnist.Training;

/// <summary>
/// Where a training run stands: the epoch in progress (or about to start), the batches of it already
/// trained with their summed loss and correct count, whether training has ended early, and the time
/// spent in earlier sessions of a resumed run.
/// </summary>
internal sealed class TrainingPosition
{
    /// <summary>The epoch in progress or about to start (1-based); one past the last epoch when all are done.</summary>
    public int Epoch { get; set; } = 1;

    /// <summary>Batches of <see cref="Epoch"/> already trained.</summary>
    public long BatchesDone { get; set; }

    /// <summary>Sum over the trained batches of <see cref="Epoch"/> of the mean batch loss times the batch size.</summary>
    public double LossSum { get; set; }

    /// <summary>Correct training predictions in the trained batches of <see cref="Epoch"/>.</summary>
    public long Correct { get; set; }

    /// <summary>True when training ended before the last epoch (early stopping or target accuracy reached).</summary>
    public bool Finished { get; set; }

    /// <summary>Wall time of the earlier sessions of this run.</summary>
    public TimeSpan TotalTimeBefore { get; set; }

    /// <summary>Training (not validation) time of the earlier sessions of this run.</summary>
    public TimeSpan TrainingTimeBefore { get; set; }

    /// <summary>Moves to the start of the next epoch.</summary>
    public void NextEpoch()
    {
        Epoch++;
        BatchesDone = 0;
        LossSum = 0;
        Correct = 0;
    }
}
