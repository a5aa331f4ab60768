using System.Globalization;

namespace MlNetMnist.Training;

/// <summary>
/// Warns when a finished run has not learnt: after the last epoch the training loss is still at the
/// level of guessing (at least 90% of ln(classes), the loss of a uniform answer, whatever the label
/// smoothing) and the training accuracy is near chance (below 1.5 / classes). The recipes are tuned for
/// MNIST's 60,000 images; a few thousand images of the user's own make a few dozen optimiser steps in
/// the same epochs, which may be too few: 3,000 colour images of four shapes stayed at 26% after 3
/// epochs (72 steps) and reached 99.7% after 15. The model is still returned; the warning says so.
/// </summary>
internal static class LearningCheck
{
    /// <summary>Optimiser steps suggested when the run made too few.</summary>
    internal const int SuggestedSteps = 500;

    /// <summary>The warning for a run that ended with <paramref name="last"/>, or null when it learnt something.</summary>
    /// <param name="last">The last epoch's report.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="batchesPerEpoch">Optimiser steps per epoch.</param>
    /// <param name="batchSize">Rows per step.</param>
    internal static string? Describe(TrainingProgress last, int classes, int batchesPerEpoch, int batchSize)
    {
        if (classes < 2 || !double.IsFinite(last.TrainLoss)) return null;
        double guessing = Math.Log(classes), chance = 1.0 / classes;
        if (last.TrainLoss < 0.9 * guessing || last.TrainAccuracy >= 1.5 * chance) return null;
        long steps = (long)last.Epoch * batchesPerEpoch;
        int suggestedEpochs = (int)Math.Ceiling(SuggestedSteps / (double)Math.Max(1, batchesPerEpoch));
        var ci = CultureInfo.InvariantCulture;
        string more = suggestedEpochs > last.Epoch
            ? string.Format(ci, "raise TorchCnnOptions.Epochs (to about {0}, for some {1} steps) or lower BatchSize", suggestedEpochs, SuggestedSteps)
            : "try another LearningRate";
        return string.Format(ci,
            "The network has not learnt: after {0} epoch{9} ({1:N0} optimiser steps of {2} rows) the training loss {3:G3} is no better than guessing " +
            "(ln {4} = {5:G3}) and the training accuracy {6:0.0}% near chance ({7:0.0}% for {4} classes). Small data sets need more steps than the MNIST recipes make: " +
            "{8}. Check also any warning above, and that the labels belong to the images.",
            last.Epoch, steps, batchSize, last.TrainLoss, classes, guessing, 100 * last.TrainAccuracy, 100 * chance, more, last.Epoch == 1 ? "" : "s");
    }
}
