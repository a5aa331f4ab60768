namespace MlNetMnist.Calibration;

/// <summary>
/// What a classifier learnt about its own outputs on held-out training data, applied inside the saved
/// ONNX graph (and by the in-process scorer) after the network's logits: temperature scaling before the
/// softmax, and the out-of-distribution score.
/// </summary>
/// <param name="Temperature">The logits are divided by this before the softmax (1 = unchanged); fitted by minimising the log loss on the validation rows.</param>
/// <param name="OutOfDistribution">The calibrated out-of-distribution score, or null for none.</param>
public sealed record OutputCalibration(float Temperature, OutOfDistributionCalibration? OutOfDistribution = null)
{
    /// <summary>No calibration: temperature 1, no out-of-distribution score.</summary>
    public static OutputCalibration None { get; } = new(1f);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the temperature is not a positive finite number.</summary>
    public void Validate()
    {
        if (!(Temperature > 0 && float.IsFinite(Temperature)))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be a positive finite number.");
        OutOfDistribution?.Validate();
    }
}

/// <summary>
/// The thresholds of the out-of-distribution score, calibrated on held-out training rows. For each of
/// the statistics (energy of the logits, border ink, mid-tones, spread and mass of the ink) (energy of the logits and ink statistics of the
/// input) the deviation <c>g</c> is the statistic itself (one-sided) or its distance from
/// <see cref="Centers"/> (two-sided); its normalised value is <c>(g - Thresholds[i]) / Scales[i]</c>,
/// above 0 when it is rarer than the calibrated flag rate allows. The score is the largest of them.
/// </summary>
/// <param name="Centers">Per statistic: the median on the calibration rows for two-sided statistics, 0 for one-sided ones.</param>
/// <param name="Thresholds">Per statistic: the deviation above which it flags.</param>
/// <param name="Scales">Per statistic: the deviation's spread on the calibration rows (threshold less median), to make the statistics comparable.</param>
/// <param name="FlagRate">The fraction of the calibration rows the score flags (the target false-flag rate on digits).</param>
/// <param name="CalibrationRows">How many held-out rows it was calibrated on.</param>
public sealed record OutOfDistributionCalibration(IReadOnlyList<float> Centers, IReadOnlyList<float> Thresholds, IReadOnlyList<float> Scales, double FlagRate, int CalibrationRows)
{
    /// <summary>
    /// How the statistics shared the flag budget when it was fitted on non-digits (null: equal shares, or
    /// a model saved before shares existed). Informational: the thresholds are what score.
    /// </summary>
    internal BudgetSharing? Sharing { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the lists do not have one finite value per statistic, or a scale is not positive.</summary>
    public void Validate()
    {
        int k = OutOfDistributionStatistics.Count;
        if (Centers.Count != k || Thresholds.Count != k || Scales.Count != k)
            throw new ArgumentException($"An out-of-distribution calibration needs {k} centres, thresholds and scales ({string.Join(", ", OutOfDistributionStatistics.Names)}).");
        if (Centers.Concat(Thresholds).Concat(Scales).Any(v => !float.IsFinite(v)) || Scales.Any(s => s <= 0))
            throw new ArgumentException("Out-of-distribution centres and thresholds must be finite numbers and scales positive.");
    }

    /// <summary>The normalised deviation of each statistic (above 0 flags), given the raw statistics of one row.</summary>
    /// <param name="raw">The <see cref="OutOfDistributionStatistics.Count"/> raw statistics.</param>
    /// <param name="normalised">Receives the normalised deviations.</param>
    /// <returns>The score: the largest normalised deviation.</returns>
    public float Score(ReadOnlySpan<float> raw, Span<float> normalised)
    {
        float best = float.NegativeInfinity;
        for (int i = 0; i < OutOfDistributionStatistics.Count; i++)
        {
            float d = raw[i] - Centers[i];
            float g = OutOfDistributionStatistics.TwoSided[i] ? Math.Abs(d) : d;
            normalised[i] = (g - Thresholds[i]) / Scales[i];
            best = Math.Max(best, normalised[i]);
        }
        return best;
    }
}

/// <summary>The shares of the flag budget fitted on non-digit images, and what they catch of them.</summary>
/// <param name="Shares">Each statistic's share, in the order of <see cref="OutOfDistributionStatistics.Names"/>.</param>
/// <param name="NonDigitsCaught">Fraction of the non-digits the fitted thresholds flag.</param>
/// <param name="NonDigitsCaughtWithEqualShares">Fraction of them equal shares flagged.</param>
internal sealed record BudgetSharing(IReadOnlyList<double> Shares, double NonDigitsCaught, double NonDigitsCaughtWithEqualShares);
