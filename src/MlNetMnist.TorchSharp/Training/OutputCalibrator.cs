using System.Globalization;
using MlNetMnist.Calibration;
using MlNetMnist.Images;
using MlNetMnist.Scoring;
using TorchSharp;

namespace MlNetMnist.Training;

/// <summary>
/// Calibrates a trained network's outputs on the held-out validation rows (never on rows it was trained
/// on, never on test data): the temperature that minimises their log loss, and the thresholds of the
/// out-of-distribution score at <see cref="TorchCnnOptions.OutOfDistributionFlagRate"/> of them. With
/// <see cref="TorchCnnOptions.OutlierExposure"/> on, non-digit images made from the same held-out rows
/// decide how the statistics share that flag budget (<see cref="CalibrationFitting.FitOutOfDistribution"/>).
/// </summary>
internal static class OutputCalibrator
{
    /// <summary>Fewest validation rows the out-of-distribution thresholds are fitted on.</summary>
    public const int MinimumRows = 200;

    /// <summary>Non-digit images made from the validation rows to share out the flag budget (with outlier exposure).</summary>
    public const int NonDigitImages = 1000;

    public static OutputCalibration Fit(NetworkScorer scorer, TrainingData validation, TorchCnnOptions options, TrainingLog log)
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

        var raw = Statistics(scorer, pixels, logits, rows, temperature);
        List<float[]>? nonDigits = null, prepared = null;
        if (options.OutlierExposure is { } exposure)
        {
            nonDigits = NonDigitStatistics(scorer, pixels, exposure, options.ResolvedSeed, temperature);
            prepared = PreparedDigitStatistics(scorer, pixels, rows, temperature);
        }
        var ood = CalibrationFitting.FitOutOfDistribution(raw, options.OutOfDistributionFlagRate, nonDigits, prepared);
        if (nonDigits is not null) LogShares(log, ood, raw, prepared!, nonDigits.Count);
        return new OutputCalibration(temperature, ood);
    }

    private static List<float[]> Statistics(NetworkScorer scorer, float[] pixels, float[] logits, int rows, float temperature)
    {
        var raw = new List<float[]>(rows);
        for (int r = 0; r < rows; r++)
        {
            var stats = new float[OutOfDistributionStatistics.Count];
            OutOfDistributionStatistics.Compute(scorer.Definition, pixels.AsSpan(r * scorer.InputSize, scorer.InputSize), logits.AsSpan(r * scorer.Classes, scorer.Classes), temperature, stats);
            raw.Add(stats);
        }
        return raw;
    }

    /// <summary>
    /// The statistics of the validation digits prepared as the service prepares user images (box scaled,
    /// centred by mass: <see cref="DigitImagePreprocessor"/>), which move a little from MNIST's own
    /// centring. With outlier exposure the flag budget is fitted on the digits both ways, as the
    /// non-digits it is shared out on are prepared that way too.
    /// </summary>
    private static List<float[]> PreparedDigitStatistics(NetworkScorer scorer, float[] validationPixels, int rows, float temperature)
    {
        var prepared = OutlierPool.PrepareDigits(validationPixels, rows);
        return Statistics(scorer, prepared, scorer.Logits(prepared, rows), rows, temperature);
    }

    /// <summary>The statistics of <see cref="NonDigitImages"/> non-digits made from the validation digits (never from training rows).</summary>
    private static List<float[]> NonDigitStatistics(NetworkScorer scorer, float[] validationPixels, OutlierExposure exposure, int seed, float temperature)
    {
        using var synthesis = new NonDigitSynthesis(validationPixels, exposure.FontFiles, unchecked(seed + 11));
        float[] images = synthesis.Create(NonDigitImages);
        return Statistics(scorer, images, scorer.Logits(images, NonDigitImages), NonDigitImages, temperature);
    }

    private static void LogShares(TrainingLog log, OutOfDistributionCalibration ood, List<float[]> digits, List<float[]> prepared, int nonDigits)
    {
        var sharing = ood.Sharing!;
        float[] centers = ood.Centers.ToArray(), thresholds = ood.Thresholds.ToArray();
        log.Info(string.Format(CultureInfo.InvariantCulture,
            "Out-of-distribution score: shares of the flag budget ({0}) chosen on {1:N0} non-digit images made from the validation rows: they flag {2:P1} of them, {3:P2} of the validation digits and {4:P2} of them prepared like user images (equal shares: {5:P1} of the non-digits).",
            string.Join(", ", OutOfDistributionStatistics.Names.Select((n, i) => $"{n} {sharing.Shares[i].ToString(CultureInfo.InvariantCulture)}")),
            nonDigits, sharing.NonDigitsCaught, CalibrationFitting.FlaggedFraction(digits, centers, thresholds),
            CalibrationFitting.FlaggedFraction(prepared, centers, thresholds), sharing.NonDigitsCaughtWithEqualShares));
    }
}
