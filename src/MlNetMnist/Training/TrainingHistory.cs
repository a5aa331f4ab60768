namespace MlNetMnist.Training;

/// <summary>The per-epoch progress of one training run, in order.</summary>
public sealed class TrainingHistory
{
    private readonly List<TrainingProgress> _epochs = new();
    private readonly List<ValidationCheck> _checks = new();
    private readonly List<string> _warnings = new();

    /// <summary>The epochs completed.</summary>
    public IReadOnlyList<TrainingProgress> Epochs => _epochs;

    /// <summary>
    /// Validation results in the middle of epochs, when <c>TorchCnnOptions.ValidationEveryBatches</c>
    /// is set (empty otherwise), in order.
    /// </summary>
    public IReadOnlyList<ValidationCheck> Checks => _checks;

    /// <summary>
    /// The epoch and the training time (excluding validation) at which the validation accuracy first
    /// reached <paramref name="accuracy"/>, at a mid-epoch check or at the end of an epoch; null if it
    /// never did.
    /// </summary>
    /// <param name="accuracy">The accuracy (0-1).</param>
    public (int Epoch, TimeSpan TrainingTime)? FirstReaching(double accuracy) =>
        FirstReachingPoint(accuracy) is { } first ? (first.Epoch, first.TrainingTime) : null;

    /// <summary>
    /// As <see cref="FirstReaching"/>, with where in the epoch: the batches of the epoch done at a mid-epoch
    /// check, or null at the end of the epoch.
    /// </summary>
    internal (int Epoch, long? Batch, TimeSpan TrainingTime)? FirstReachingPoint(double accuracy)
    {
        var atChecks = _checks.Where(c => c.ValidationAccuracy >= accuracy).Select(c => (c.Epoch, (long?)c.Batch, c.TrainingTime));
        var atEpochs = _epochs.Where(e => e.ValidationAccuracy >= accuracy).Select(e => (e.Epoch, (long?)null, e.TrainingTime));
        var reached = atChecks.Concat(atEpochs).ToList();
        return reached.Count == 0 ? null : reached.MinBy(r => r.TrainingTime);
    }

    /// <summary>
    /// Wall time from the start of <c>Fit</c> to the first training batch: reading the data into tensors,
    /// the pixel statistics, building the network and the optimiser. What a user waits for is this plus
    /// the training time (<see cref="TrainingProgress.TrainingTime"/>) plus the validation checks, if any.
    /// Zero until training starts (and for a history made by hand).
    /// </summary>
    public TimeSpan PreparationTime { get; private set; }

    /// <summary>When the history was created (the start of <c>Fit</c>), as a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    private readonly long _created = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Records <see cref="PreparationTime"/> when the first batch is about to run (later calls, e.g. after a resume, keep the first value).</summary>
    internal void TrainingStarts()
    {
        if (PreparationTime == TimeSpan.Zero) PreparationTime = System.Diagnostics.Stopwatch.GetElapsedTime(_created);
    }

    /// <summary>Total training wall time.</summary>
    public TimeSpan TotalTime => _epochs.Count == 0 ? TimeSpan.Zero : _epochs[^1].TotalTime;

    /// <summary>Why training ended: all epochs done, early stopping, or the target accuracy reached.</summary>
    public string StopReason { get; internal set; } = "";

    /// <summary>The epoch whose weights the model kept (the best validation epoch with early stopping, else the last).</summary>
    public int SelectedEpoch { get; internal set; }

    /// <summary>
    /// The warnings training raised, in order (e.g. pixel values outside the range the network
    /// expects); empty when all went as expected. They were also written to the <c>MLContext</c>'s log.
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    internal void AddWarning(string warning) => _warnings.Add(warning);

    internal void Add(TrainingProgress progress) => _epochs.Add(progress);

    internal void Add(ValidationCheck check) => _checks.Add(check);
}
