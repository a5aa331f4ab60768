namespace MlNetMnist.Calibration;

/// <summary>Fits an <see cref="OutputCalibration"/> on held-out rows: the temperature and the out-of-distribution thresholds.</summary>
internal static class CalibrationFitting
{
    /// <summary>
    /// The temperature <c>T</c> that minimises the mean log loss of <c>softmax(logits / T)</c> on the given
    /// rows (golden-section search over <c>ln T</c> in [ln 0.05, ln 20]; the log loss is convex in <c>1/T</c>).
    /// </summary>
    /// <param name="logits">Row after row, <paramref name="classes"/> logits each.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="labels">The true class index of each row.</param>
    public static float FitTemperature(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels)
    {
        if (classes < 2 || labels.Length == 0 || logits.Length != labels.Length * classes)
            throw new ArgumentException($"{logits.Length} logits do not make {labels.Length} rows of {classes} classes.", nameof(logits));
        var z = logits.ToArray();
        var y = labels.ToArray();
        double a = Math.Log(0.05), b = Math.Log(20);
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double c = b - ratio * (b - a), d = a + ratio * (b - a);
        double fc = LogLoss(z, classes, y, Math.Exp(c)), fd = LogLoss(z, classes, y, Math.Exp(d));
        for (int i = 0; i < 60; i++)
        {
            if (fc < fd)
            {
                (b, d, fd) = (d, c, fc);
                c = b - ratio * (b - a);
                fc = LogLoss(z, classes, y, Math.Exp(c));
            }
            else
            {
                (a, c, fc) = (c, d, fd);
                d = a + ratio * (b - a);
                fd = LogLoss(z, classes, y, Math.Exp(d));
            }
        }
        return (float)Math.Exp((a + b) / 2);
    }

    /// <summary>Mean negative log probability of the true class under <c>softmax(logits / temperature)</c>.</summary>
    public static double LogLoss(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels, double temperature)
    {
        double total = 0;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = logits.Slice(r * classes, classes);
            double max = double.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v / temperature);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v / temperature - max);
            total += max + Math.Log(sum) - row[labels[r]] / temperature;
        }
        return total / labels.Length;
    }

    /// <summary>
    /// Calibrates the out-of-distribution score on held-out rows (digits the network was not trained
    /// on): the two-sided statistics are centred on their medians, and every statistic gets the
    /// threshold at the same per-statistic quantile, chosen (by bisection) so that the score flags
    /// <paramref name="flagRate"/> of the rows.
    /// <para>
    /// With <paramref name="nonDigits"/> (the statistics of images known not to be digits, made from the
    /// same held-out rows), the statistics share that budget unequally: each one's quantile is a weight
    /// times a common one, and the weights (from <see cref="ShareSteps"/>, by coordinate ascent from
    /// equal shares) are those that flag the most non-digits while the held-out digits flagged stay at
    /// <paramref name="flagRate"/>.
    /// </para>
    /// <para>
    /// With <paramref name="preparedDigits"/> (the same held-out digits prepared like user images), the
    /// centres and quantiles are taken over both groups, and the thresholds must flag at most
    /// <paramref name="flagRate"/> of <em>each</em> group (<see cref="FlagBudget"/>) rather than of the two
    /// pooled: pooled, the prepared digits (further from MNIST's own centring) took about twice their share.
    /// </para>
    /// </summary>
    /// <param name="digits">Per held-out digit, the <see cref="OutOfDistributionStatistics.Count"/> raw statistics.</param>
    /// <param name="flagRate">Fraction of held-out digits the score may flag, in (0, 0.5).</param>
    /// <param name="nonDigits">Optional: per non-digit image, its raw statistics.</param>
    /// <param name="preparedDigits">Optional: the statistics of held-out digits prepared like user images, a second group held to the same rate.</param>
    public static OutOfDistributionCalibration FitOutOfDistribution(IReadOnlyList<float[]> digits, double flagRate, IReadOnlyList<float[]>? nonDigits = null,
        IReadOnlyList<float[]>? preparedDigits = null)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (!(flagRate > 0 && flagRate < 0.5)) throw new ArgumentOutOfRangeException(nameof(flagRate), flagRate, "The flag rate must be in (0, 0.5).");
        int k = OutOfDistributionStatistics.Count;
        if (digits.Count < 20) throw new ArgumentException($"{digits.Count} held-out rows are too few to calibrate the out-of-distribution score; need at least 20.", nameof(digits));
        if (preparedDigits is { Count: 0 }) preparedDigits = null;
        IReadOnlyList<float[]> raw = preparedDigits is null ? digits : [.. digits, .. preparedDigits];
        var centers = new float[k];
        var deviations = new float[k][];
        for (int s = 0; s < k; s++)
        {
            var values = raw.Select(r => r[s]).ToArray();
            centers[s] = OutOfDistributionStatistics.TwoSided[s] ? Quantile(values, 0.5) : 0f;
            deviations[s] = values.Select(v => OutOfDistributionStatistics.TwoSided[s] ? Math.Abs(v - centers[s]) : v).OrderBy(v => v).ToArray();
        }

        var budget = new FlagBudget(preparedDigits is null ? [digits] : [digits, preparedDigits], flagRate);
        float[] thresholds = SharedThresholds(budget, centers, deviations, Enumerable.Repeat(1.0, k).ToArray());
        BudgetSharing? sharing = null;
        if (nonDigits is { Count: > 0 }) (sharing, thresholds) = ShareOut(budget, nonDigits, centers, deviations, thresholds);
        var scales = new float[k];
        for (int s = 0; s < k; s++)
        {
            float median = Quantile(deviations[s], 0.5);
            float spread = thresholds[s] - median;
            scales[s] = spread > 1e-6f ? spread : Math.Max(1e-3f, Math.Abs(thresholds[s]) * 0.1f + 1e-3f);
        }
        return new OutOfDistributionCalibration(centers, thresholds, scales, flagRate, raw.Count) { Sharing = sharing };
    }

    /// <summary>The weights a statistic's share of the flag budget may take (0: flags only beyond every held-out digit).</summary>
    public static IReadOnlyList<double> ShareSteps { get; } = [0, 0.25, 0.5, 1, 2, 4];

    /// <summary>The fraction of <paramref name="rows"/> the thresholds flag.</summary>
    public static double FlaggedFraction(IReadOnlyList<float[]> rows, float[] centers, float[] thresholds) =>
        rows.Count(r => Flags(r, centers, thresholds)) / (double)rows.Count;

    /// <summary>Thresholds at the quantiles <c>share[s] x m</c>, with the largest m (by bisection) that the <paramref name="budget"/> allows.</summary>
    private static float[] SharedThresholds(FlagBudget budget, float[] centers, float[][] deviations, double[] shares)
    {
        double flagRate = budget.Rate, lo = 0, hi = flagRate / Math.Max(shares.Max(), 1e-9);
        float[] thresholds = Thresholds(deviations, shares, hi);
        if (budget.Allows(centers, thresholds)) return thresholds;
        thresholds = Thresholds(deviations, shares, 0);
        for (int i = 0; i < 40; i++)
        {
            double mid = (lo + hi) / 2;
            var t = Thresholds(deviations, shares, mid);
            if (budget.Allows(centers, t))
            {
                lo = mid;
                thresholds = t;
            }
            else
            {
                hi = mid;
            }
        }
        return thresholds;
    }

    /// <summary>
    /// Coordinate ascent over <see cref="ShareSteps"/> from equal shares (whose thresholds are
    /// <paramref name="thresholds"/>): the shares that flag the most non-digits (ties keep the earlier shares).
    /// </summary>
    private static (BudgetSharing Sharing, float[] Thresholds) ShareOut(FlagBudget budget, IReadOnlyList<float[]> nonDigits, float[] centers, float[][] deviations,
        float[] thresholds)
    {
        var shares = Enumerable.Repeat(1.0, centers.Length).ToArray();
        double equal = FlaggedFraction(nonDigits, centers, thresholds), best = equal;
        for (int round = 0; round < 3; round++)
        {
            bool improved = false;
            for (int s = 0; s < shares.Length; s++)
                foreach (double step in ShareSteps)
                {
                    if (step == shares[s]) continue;
                    var candidate = (double[])shares.Clone();
                    candidate[s] = step;
                    if (candidate.Max() <= 0) continue;
                    var t = SharedThresholds(budget, centers, deviations, candidate);
                    double caught = FlaggedFraction(nonDigits, centers, t);
                    if (caught > best + 1e-9)
                    {
                        (best, shares, thresholds, improved) = (caught, candidate, t, true);
                    }
                }
            if (!improved) break;
        }
        return (new BudgetSharing(shares, best, equal), thresholds);
    }

    private static float[] Thresholds(float[][] sortedDeviations, double[] shares, double tail) =>
        sortedDeviations.Select((d, s) => Quantile(d, 1 - Math.Min(0.5, shares[s] * tail), sorted: true)).ToArray();

    private static bool Flags(float[] raw, float[] centers, float[] thresholds)
    {
        for (int s = 0; s < raw.Length; s++)
        {
            float d = raw[s] - centers[s];
            float g = OutOfDistributionStatistics.TwoSided[s] ? Math.Abs(d) : d;
            if (g > thresholds[s]) return true;
        }
        return false;
    }

    /// <summary>The <paramref name="q"/> quantile (nearest rank, the value at or below which that fraction lies).</summary>
    internal static float Quantile(float[] values, double q, bool sorted = false)
    {
        var s = sorted ? values : values.OrderBy(v => v).ToArray();
        int index = (int)Math.Clamp(Math.Ceiling(q * s.Length) - 1, 0, s.Length - 1);
        return s[index];
    }
}
