using System.Globalization;

namespace MlNetMnist.Training;

/// <summary>
/// Progress inside an epoch, reported while it runs (the equivalent of the tqdm bar of the PyTorch
/// tutorials): batches done, images per second, running loss and accuracy, and the estimated time
/// left in the epoch.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in an epoch.</param>
/// <param name="RunningLoss">Mean training loss over the batches done in this epoch.</param>
/// <param name="RunningAccuracy">Accuracy on the training batches done in this epoch (0-1).</param>
/// <param name="ImagesPerSecond">Training throughput since the epoch started (or resumed).</param>
/// <param name="Elapsed">Training time spent in this epoch so far.</param>
/// <param name="Remaining">Estimated training time left in this epoch.</param>
public sealed record BatchProgress(
    int Epoch,
    int Epochs,
    long Batch,
    long Batches,
    double RunningLoss,
    double RunningAccuracy,
    double ImagesPerSecond,
    TimeSpan Elapsed,
    TimeSpan Remaining)
{
    /// <summary>
    /// One line: <c>epoch 1/2  [#########-----------]  212/469  10,113 img/s  loss 0.2417  acc 92.71 %  ETA 3s</c>.
    /// </summary>
    public override string ToString()
    {
        const int BarWidth = 20;
        int filled = Batches <= 0 ? 0 : (int)Math.Clamp(Batch * BarWidth / Batches, 0, BarWidth);
        string bar = new string('#', filled) + new string('-', BarWidth - filled);
        return string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1}  [{2}]  {3}/{4}  {5:N0} img/s  loss {6:F4}  acc {7:P2}  ETA {8}",
            Epoch, Epochs, bar, Batch, Batches, ImagesPerSecond, RunningLoss, RunningAccuracy, FormatDuration(Remaining));
    }

    private static string FormatDuration(TimeSpan time) =>
        time.TotalHours >= 1 ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : time.TotalMinutes >= 1 ? time.ToString(@"m\:ss", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(time.TotalSeconds):F0}s");
}
