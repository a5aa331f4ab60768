using MlNetMnist.Training;

namespace MlNetMnist.Reports;

/// <summary>
/// The per-epoch loss, accuracy, learning rate and time of a training run, as a serialisable part of
/// a report (the training curves). Made from a <see cref="TrainingHistory"/>.
/// </summary>
public sealed record TrainingSummary
{
    /// <summary>The epochs, in order.</summary>
    public IReadOnlyList<TrainingProgress> Epochs { get; init; } = [];

    /// <summary>Why training ended.</summary>
    public string StopReason { get; init; } = "";

    /// <summary>The epoch whose weights the model kept.</summary>
    public int SelectedEpoch { get; init; }

    /// <summary>Total training wall time.</summary>
    public TimeSpan TotalTime { get; init; }

    /// <summary>
    /// The warnings raised during training (the pixel range, a divergence stop, ...), in order, each
    /// once: those the epochs' reports carried (<see cref="TrainingProgress.Warnings"/>).
    /// </summary>
    public IReadOnlyList<string> AllWarnings() => Epochs.SelectMany(e => e.Warnings).Distinct().ToArray();

    /// <summary>True when some epoch has a validation loss or accuracy.</summary>
    public bool HasValidation => Epochs.Any(e => e.ValidationLoss is not null || e.ValidationAccuracy is not null);

    /// <summary>The summary of <paramref name="history"/>, or null when it is null or has no epochs.</summary>
    /// <param name="history">A model's training history (<see cref="IImageClassifierModel.History"/>).</param>
    public static TrainingSummary? From(TrainingHistory? history) =>
        history is null || history.Epochs.Count == 0
            ? null
            : new TrainingSummary
            {
                Epochs = history.Epochs.ToArray(),
                StopReason = history.StopReason,
                SelectedEpoch = history.SelectedEpoch,
                TotalTime = history.TotalTime,
            };

    /// <summary>True when both summaries have the same epochs and values.</summary>
    /// <param name="other">The other summary.</param>
    public bool Equals(TrainingSummary? other) =>
        other is not null
        && Epochs.SequenceEqual(other.Epochs)
        && StopReason == other.StopReason
        && SelectedEpoch == other.SelectedEpoch
        && TotalTime == other.TotalTime;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Epochs.Count, StopReason, SelectedEpoch, TotalTime);
}
