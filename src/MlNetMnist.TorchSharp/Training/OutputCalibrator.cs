using MlNetMnist.Calibration;
using MlNetMnist.Scoring;
using TorchSharp;

namespace MlNetMnist.Training;

/// <summary>
/// Calibrates a trained network's outputs on the held-out validation rows (never on rows it was trained
/// on, never on test data): the temperature that minimises their log loss, and the thresholds of the
/// out-of-distribution score at <see cref="TorchCnnOptions.OutOfDistributionFlagRate"/> of them.
/// </summary>
internal static class OutputCalibrator
{
    /// <summary>Fewest validation rows the out-of-distribution thresholds are fitted on.</summary>
    public const int MinimumRows = 200;

    public static OutputCalibration Fit(NetworkScorer scorer, TrainingData validation, TorchCnnOptions options)
    {
        if (!options.CalibrateOutputs) return OutputCalibration.None;
        int rows = checked((int)validation.Count);
        float[] pixels;
        int[] labels;
        using (torch.NewDisposeScope())
        {
            pixels = validation.Features.cpu().contiguous().data<float>().ToArray();
            labels = validation.Labels.cpu().contiguous().data<long>().ToArray().Select(l => (int)l).ToArray();
        }
        float[] logits = scorer.Logits(pixels, rows);
        float temperature = CalibrationFitting.FitTemperature(logits, scorer.Classes, labels);
        if (!(options.OutOfDistributionFlagRate > 0) || rows < MinimumRows) return new OutputCalibration(temperature);

        var raw = new List<float[]>(rows);
        for (int r = 0; r < rows; r++)
        {
            var stats = new float[OutOfDistributionStatistics.Count];
            OutOfDistributionStatistics.Compute(scorer.Definition, pixels.AsSpan(r * scorer.InputSize, scorer.InputSize), logits.AsSpan(r * scorer.Classes, scorer.Classes), temperature, stats);
            raw.Add(stats);
        }
        return new OutputCalibration(temperature, CalibrationFitting.FitOutOfDistribution(raw, options.OutOfDistributionFlagRate));
    }
}
