namespace MlNetMnist.Training;

/// <summary>The per-epoch progress of one training run, in order.</summary>
public sealed class TrainingHistory
{
    private readonly List<TrainingProgress> _epochs = new();

    /// <summary>The epochs completed.</summary>
    public IReadOnlyList<TrainingProgress> Epochs => _epochs;

    /// <summary>Total training wall time.</summary>
    public TimeSpan TotalTime => _epochs.Count == 0 ? TimeSpan.Zero : _epochs[^1].TotalTime;

    internal void Add(TrainingProgress progress) => _epochs.Add(progress);
}
