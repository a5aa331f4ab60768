namespace MlNetMnist.Training;

/// <summary>
/// Training was cancelled (through the token given to <c>TorchCnnTrainer.Fit</c> or
/// <see cref="TorchCnnOptions.Cancellation"/>) and stopped at the start of a batch. When
/// <see cref="TorchCnnOptions.CheckpointPath"/> is set, a checkpoint of that point was written first:
/// training with <see cref="TorchCnnOptions.ResumeFromCheckpoint"/> continues from it and ends with
/// the same weights as a run that was never interrupted.
/// </summary>
public sealed class TrainingInterruptedException : OperationCanceledException
{
    /// <summary>Creates the exception for a run stopped in <paramref name="epoch"/> after <paramref name="batchesDone"/> batches.</summary>
    /// <param name="epoch">The epoch in progress (1-based).</param>
    /// <param name="epochs">Epochs planned.</param>
    /// <param name="batchesDone">Batches of <paramref name="epoch"/> already trained.</param>
    /// <param name="batchesPerEpoch">Batches per epoch.</param>
    /// <param name="checkpointPath">The checkpoint written, or null when none was asked for.</param>
    /// <param name="token">The token that was cancelled.</param>
    public TrainingInterruptedException(int epoch, int epochs, long batchesDone, long batchesPerEpoch, string? checkpointPath, CancellationToken token)
        : base(Describe(epoch, epochs, batchesDone, batchesPerEpoch, checkpointPath), token)
    {
        Epoch = epoch;
        Epochs = epochs;
        BatchesDone = batchesDone;
        BatchesPerEpoch = batchesPerEpoch;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The epoch that was in progress (1-based).</summary>
    public int Epoch { get; }

    /// <summary>Epochs planned.</summary>
    public int Epochs { get; }

    /// <summary>Batches of <see cref="Epoch"/> trained before the stop.</summary>
    public long BatchesDone { get; }

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch { get; }

    /// <summary>The full path of the checkpoint written at the stop, or null when no checkpoint path was set.</summary>
    public string? CheckpointPath { get; }

    private static string Describe(int epoch, int epochs, long batchesDone, long batchesPerEpoch, string? checkpointPath) =>
        $"Training was cancelled in epoch {epoch} of {epochs} after {batchesDone} of {batchesPerEpoch} batches; "
        + (checkpointPath is null
            ? "no checkpoint was written (set TorchCnnOptions.CheckpointPath to keep the progress)."
            : $"checkpoint written to {checkpointPath} (train again with TorchCnnOptions.ResumeFromCheckpoint to continue).");
}
