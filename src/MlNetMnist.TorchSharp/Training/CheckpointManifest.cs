namespace MlNetMnist.Training;

/// <summary>
/// The <c>checkpoint.json</c> entry of a training checkpoint: format version, the run's fingerprint,
/// its position, history, early-stopping state and random-generator states. Tensors are in the other entries.
/// </summary>
internal sealed class CheckpointManifest
{
    /// <summary>What the file is, checked on reading.</summary>
    public string Format { get; set; } = "";

    /// <summary>Version of the layout.</summary>
    public int Version { get; set; }

    /// <summary>When the checkpoint was written (UTC).</summary>
    public DateTime WrittenUtc { get; set; }

    /// <summary>See <see cref="TrainingFingerprint"/>.</summary>
    public Dictionary<string, string> Fingerprint { get; set; } = new();

    /// <summary>See <see cref="TrainingPosition.Epoch"/>.</summary>
    public int Epoch { get; set; }

    /// <summary>See <see cref="TrainingPosition.BatchesDone"/>.</summary>
    public long BatchesDone { get; set; }

    /// <summary>See <see cref="TrainingPosition.LossSum"/>.</summary>
    public double LossSum { get; set; }

    /// <summary>See <see cref="TrainingPosition.Correct"/>.</summary>
    public long Correct { get; set; }

    /// <summary>See <see cref="TrainingPosition.Finished"/>.</summary>
    public bool Finished { get; set; }

    /// <summary>Wall time of the run up to the checkpoint.</summary>
    public TimeSpan TotalTime { get; set; }

    /// <summary>Training time of the run up to the checkpoint.</summary>
    public TimeSpan TrainingTime { get; set; }

    /// <summary>The completed epochs.</summary>
    public List<TrainingProgress> History { get; set; } = new();

    /// <summary>See <see cref="TrainingHistory.Checks"/>.</summary>
    public List<ValidationCheck> Checks { get; set; } = new();

    /// <summary>See <see cref="TrainingHistory.StopReason"/>.</summary>
    public string StopReason { get; set; } = "";

    /// <summary>See <see cref="TrainingHistory.SelectedEpoch"/>.</summary>
    public int SelectedEpoch { get; set; }

    /// <summary>Early stopping: best validation accuracy so far.</summary>
    public double BestAccuracy { get; set; }

    /// <summary>Early stopping: the epoch of <see cref="BestAccuracy"/>.</summary>
    public int BestEpoch { get; set; }

    /// <summary>See <see cref="RandomState.Module"/>.</summary>
    public byte[] ModuleRandom { get; set; } = [];

    /// <summary>See <see cref="RandomState.ShuffleAtEpochStart"/>.</summary>
    public byte[] ShuffleRandom { get; set; } = [];

    /// <summary>See <see cref="RandomState.Augmentation"/>.</summary>
    public byte[] AugmentationRandom { get; set; } = [];
}
