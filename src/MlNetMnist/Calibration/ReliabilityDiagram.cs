namespace MlNetMnist.Calibration;

/// <summary>One confidence bin of a reliability diagram.</summary>
/// <param name="Lower">Lower edge of the bin (exclusive, except for the first bin).</param>
/// <param name="Upper">Upper edge of the bin (inclusive).</param>
/// <param name="Count">Rows whose top probability falls in the bin.</param>
/// <param name="Confidence">Mean top probability of those rows (0 when empty).</param>
/// <param name="Accuracy">Fraction of those rows predicted correctly (0 when empty).</param>
public sealed record ReliabilityBin(double Lower, double Upper, long Count, double Confidence, double Accuracy);

/// <summary>
/// How well the probabilities mean what they say: the expected calibration error (the mean, weighted by
/// the number of rows, of <c>|accuracy - confidence|</c> over equal-width bins of the top probability)
/// and the bins themselves, for a reliability diagram.
/// </summary>
/// <param name="ExpectedCalibrationError">The expected calibration error (0-1; 0 is perfectly calibrated).</param>
/// <param name="Bins">The bins, lowest confidence first.</param>
/// <param name="Temperature">The temperature the model divides its logits by (null when unknown).</param>
/// <param name="ExpectedCalibrationErrorBeforeScaling">
/// The expected calibration error of the same model without its temperature (probabilities recomputed as
/// <c>softmax(T * ln p)</c>); null when the temperature is unknown.
/// </param>
public sealed record CalibrationReport(double ExpectedCalibrationError, IReadOnlyList<ReliabilityBin> Bins, double? Temperature = null, double? ExpectedCalibrationErrorBeforeScaling = null)
{
    /// <summary>The default number of bins (15, as in Guo et al. 2017).</summary>
    public const int DefaultBins = 15;

    /// <summary>Equality by value, comparing the bins element by element.</summary>
    /// <param name="other">The other report.</param>
    public bool Equals(CalibrationReport? other) =>
        other is not null && ExpectedCalibrationError.Equals(other.ExpectedCalibrationError) && Bins.SequenceEqual(other.Bins)
        && Equals(Temperature, other.Temperature) && Equals(ExpectedCalibrationErrorBeforeScaling, other.ExpectedCalibrationErrorBeforeScaling);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ExpectedCalibrationError, Bins.Count, Temperature);

    /// <summary>The reliability bins and expected calibration error of probability rows.</summary>
    /// <param name="scores">Row after row, <paramref name="classes"/> probabilities each.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="labels">The true class index of each row (rows with a negative index are skipped).</param>
    /// <param name="bins">Number of equal-width bins. Default <see cref="DefaultBins"/>.</param>
    /// <param name="temperature">The model's temperature, to also report the error before scaling; null when unknown.</param>
    public static CalibrationReport Compute(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels, int bins = DefaultBins, double? temperature = null)
    {
        var (ece, table) = Bin(scores, classes, labels, bins, 1.0);
        double? before = null;
        if (temperature is double t && t != 1)
            before = Bin(scores, classes, labels, bins, t).Ece;
        else if (temperature is not null)
            before = ece;
        return new CalibrationReport(ece, table, temperature, before);
    }

    /// <summary>
    /// Bins the rows' top probabilities, after undoing a temperature <paramref name="power"/>: the
    /// probabilities <c>softmax(power * ln p)</c> are those of the logits before division by it.
    /// </summary>
    private static (double Ece, ReliabilityBin[] Table) Bin(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels, int bins, double power)
    {
        if (classes < 2 || bins < 1 || scores.Length != labels.Length * classes)
            throw new ArgumentException($"{scores.Length} scores do not make {labels.Length} rows of {classes} classes.", nameof(scores));
        var count = new long[bins];
        var confidence = new double[bins];
        var correct = new double[bins];
        long total = 0;
        var row = new double[classes];
        for (int r = 0; r < labels.Length; r++)
        {
            if (labels[r] < 0) continue;
            double max = double.NegativeInfinity, sum = 0;
            int best = 0;
            for (int c = 0; c < classes; c++)
            {
                double p = scores[r * classes + c];
                row[c] = power == 1 ? p : Math.Exp(power * Math.Log(Math.Max(p, 1e-30)));
                sum += row[c];
                if (row[c] > max)
                {
                    max = row[c];
                    best = c;
                }
            }
            if (!(sum > 0) || double.IsNaN(max)) continue;
            double top = max / sum;
            int b = Math.Clamp((int)Math.Ceiling(top * bins) - 1, 0, bins - 1);
            count[b]++;
            confidence[b] += top;
            if (best == labels[r]) correct[b]++;
            total++;
        }
        var table = new ReliabilityBin[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            double conf = count[b] > 0 ? confidence[b] / count[b] : 0, acc = count[b] > 0 ? correct[b] / count[b] : 0;
            table[b] = new ReliabilityBin(b / (double)bins, (b + 1) / (double)bins, count[b], conf, acc);
            if (total > 0) ece += count[b] / (double)total * Math.Abs(acc - conf);
        }
        return (ece, table);
    }
}
