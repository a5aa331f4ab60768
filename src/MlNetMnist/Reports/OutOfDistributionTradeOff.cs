namespace MlNetMnist.Reports;

/// <summary>
/// One point of the out-of-distribution trade-off: at a threshold of the score, the fraction of the
/// evaluated digits flagged and of the non-digit images caught, next to what the plain top probability
/// catches when it flags as many digits.
/// </summary>
/// <param name="Threshold">The score threshold (a row is flagged when its score is above it; the calibrated threshold is 0).</param>
/// <param name="DigitsFlagged">Fraction of the evaluated (digit) rows whose score is above the threshold (0-1).</param>
/// <param name="NonDigitsCaught">Fraction of the non-digit images whose score is above it (0-1); null without non-digit images.</param>
/// <param name="TopProbabilityThreshold">The top probability below which the same fraction of the evaluated rows falls.</param>
/// <param name="TopProbabilityCatch">Fraction of the non-digit images whose top probability is below that; null without non-digit images.</param>
public sealed record OutOfDistributionTradeOffPoint(double Threshold, double DigitsFlagged, double? NonDigitsCaught, double TopProbabilityThreshold, double? TopProbabilityCatch);

/// <summary>
/// What a calibrated model's out-of-distribution score (the first slot of its <c>OutOfDistributionScore</c>
/// column) flags on the evaluated data, which are digits, and catches on images known not to be digits
/// (<see cref="ReportOptions.NonDigitData"/>), at several thresholds: the curve of flagged digits against
/// caught non-digits. The score alone: a service also flags empty images and low confidence.
/// </summary>
public sealed record OutOfDistributionTradeOff
{
    /// <summary>The thresholds of <see cref="Points"/>, highest first; 0 is the calibrated one.</summary>
    public static IReadOnlyList<double> Thresholds { get; } = [1, 0.5, 0.25, 0, -0.25, -0.5];

    /// <summary>Evaluated rows whose score was read.</summary>
    public long DigitRows { get; init; }

    /// <summary>Non-digit images scored (0 without <see cref="ReportOptions.NonDigitData"/>).</summary>
    public long NonDigitRows { get; init; }

    /// <summary>What the non-digit images are (from <see cref="ReportOptions.NonDigitDescription"/>); null when unknown.</summary>
    public string? NonDigitDescription { get; init; }

    /// <summary>One point per threshold of <see cref="Thresholds"/>.</summary>
    public IReadOnlyList<OutOfDistributionTradeOffPoint> Points { get; init; } = [];

    /// <summary>The point at the calibrated threshold (0); null when there is none.</summary>
    public OutOfDistributionTradeOffPoint? Calibrated => Points.FirstOrDefault(p => p.Threshold == 0);

    /// <summary>Equality by value, comparing the points element by element.</summary>
    /// <param name="other">The other trade-off.</param>
    public bool Equals(OutOfDistributionTradeOff? other) =>
        other is not null && DigitRows == other.DigitRows && NonDigitRows == other.NonDigitRows
        && NonDigitDescription == other.NonDigitDescription && Points.SequenceEqual(other.Points);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(DigitRows, NonDigitRows, Points.Count);

    /// <summary>
    /// The trade-off from the scores and top probabilities of digits and (optionally) non-digits.
    /// </summary>
    /// <param name="digitScores">The out-of-distribution score of each evaluated row.</param>
    /// <param name="digitTopProbabilities">The top probability of each evaluated row.</param>
    /// <param name="nonDigitScores">The score of each non-digit image; empty for none.</param>
    /// <param name="nonDigitTopProbabilities">The top probability of each non-digit image.</param>
    /// <param name="nonDigitDescription">What the non-digit images are.</param>
    internal static OutOfDistributionTradeOff Compute(float[] digitScores, float[] digitTopProbabilities,
        float[] nonDigitScores, float[] nonDigitTopProbabilities, string? nonDigitDescription)
    {
        if (digitScores.Length == 0 || digitScores.Length != digitTopProbabilities.Length || nonDigitScores.Length != nonDigitTopProbabilities.Length)
            throw new ArgumentException($"Expected as many scores as top probabilities, at least one digit; got {digitScores.Length} and {digitTopProbabilities.Length} digits, {nonDigitScores.Length} and {nonDigitTopProbabilities.Length} non-digits.");
        var sortedProbabilities = digitTopProbabilities.Order().ToArray();
        bool withNonDigits = nonDigitScores.Length > 0;
        var points = Thresholds.Select(t =>
        {
            double flagged = Fraction(digitScores, s => s > t);
            var (below, caught) = TopProbabilityAt(sortedProbabilities, nonDigitTopProbabilities, flagged);
            return new OutOfDistributionTradeOffPoint(t, flagged,
                withNonDigits ? Fraction(nonDigitScores, s => s > t) : null,
                below,
                withNonDigits ? caught : null);
        }).ToArray();
        return new OutOfDistributionTradeOff
        {
            DigitRows = digitScores.Length,
            NonDigitRows = nonDigitScores.Length,
            NonDigitDescription = withNonDigits ? nonDigitDescription : null,
            Points = points,
        };
    }

    /// <summary>
    /// The plain top-probability baseline: the top probability below which <paramref name="rate"/> of the digits
    /// fall (from their sorted top probabilities), and the fraction of non-digits whose top probability is below it.
    /// </summary>
    internal static (float Threshold, double Caught) TopProbabilityAt(float[] sortedDigitTopProbabilities, float[] nonDigitTopProbabilities, double rate)
    {
        float threshold = sortedDigitTopProbabilities[Math.Clamp((int)Math.Round(rate * sortedDigitTopProbabilities.Length), 0, sortedDigitTopProbabilities.Length - 1)];
        return (threshold, nonDigitTopProbabilities.Length == 0 ? 0 : Fraction(nonDigitTopProbabilities, p => p < threshold));
    }

    private static double Fraction(float[] values, Func<float, bool> predicate) => values.Count(predicate) / (double)values.Length;
}
