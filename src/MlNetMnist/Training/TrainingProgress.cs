namespace MlNetMnist.Training;

/// <summary>What the trainer reports at the end of each epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Accuracy on the training batches during the epoch (0-1, network in training mode).</param>
/// <param name="ValidationLoss">Loss on the validation split, when there is one.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split, when there is one (0-1).</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
/// <param name="EpochTime">Wall time of the epoch (training and validation).</param>
/// <param name="TotalTime">Wall time since training started.</param>
/// <param name="ImagesPerSecond">Training throughput over the epoch.</param>
/// <param name="TrainingTime">Wall time spent training (not validating) since training started.</param>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    TimeSpan EpochTime,
    TimeSpan TotalTime,
    double ImagesPerSecond,
    TimeSpan TrainingTime)
{
    /// <summary>
    /// Warnings raised since the previous report (the first report carries those raised before
    /// training started, e.g. pixel values outside the range the network expects); usually empty.
    /// All of them are also in <see cref="TrainingHistory.Warnings"/> and the <c>MLContext</c>'s log.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Equal when every figure is equal and the warnings are the same texts in the same order.</summary>
    /// <param name="other">The other report.</param>
    public bool Equals(TrainingProgress? other) =>
        other is not null && EqualityContract == other.EqualityContract
        && (Epoch, Epochs, TrainLoss, TrainAccuracy, ValidationLoss, ValidationAccuracy, LearningRate, EpochTime, TotalTime, ImagesPerSecond, TrainingTime)
            == (other.Epoch, other.Epochs, other.TrainLoss, other.TrainAccuracy, other.ValidationLoss, other.ValidationAccuracy, other.LearningRate, other.EpochTime, other.TotalTime, other.ImagesPerSecond, other.TrainingTime)
        && Warnings.SequenceEqual(other.Warnings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Epoch, Epochs, TrainLoss, TrainAccuracy, LearningRate, EpochTime, TotalTime, Warnings.Count);

    /// <summary>One line for a console: epoch, loss, accuracies, learning rate and time.</summary>
    public override string ToString()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string validation = ValidationAccuracy is double va
            ? string.Format(ci, "  val loss {0:F4}  val acc {1:P2}", ValidationLoss ?? double.NaN, va)
            : "";
        return string.Format(ci, "epoch {0}/{1}  loss {2:F4}  acc {3:P2}{4}  lr {5:G3}  {6:F1}s  ({7:N0} img/s)",
            Epoch, Epochs, TrainLoss, TrainAccuracy, validation, LearningRate, EpochTime.TotalSeconds, ImagesPerSecond);
    }
}
