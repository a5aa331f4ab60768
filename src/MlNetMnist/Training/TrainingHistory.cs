namespace MlNetMnist.Training;

/// <summary>The per-epoch progress of one training run, in order.</summary>
public sealed class TrainingHistory
{
    private readonly List<TrainingProgress> _epochs = new();

    /// <summary>The epochs completed.</summary>
    public IReadOnlyList<TrainingProgress> Epochs => _epochs;

    /// <summary>Total training wall time.</summary>
    public TimeSpan TotalTime => _epochs.Count == 0 ? TimeSpan.Zero : _epochs[^1].TotalTime;

    /// <summary>Why training ended: all epochs done, early stopping, or the target accuracy reached.</summary>
    public string StopReason { get; internal set; } = "";

    /// <summary>The epoch whose weights the model kept (the best validation epoch with early stopping, else the last).</summary>
    public int SelectedEpoch { get; internal set; }

    internal void Add(TrainingProgress progress) => _epochs.Add(progress);
}
