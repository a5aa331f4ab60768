using MlNetMnist.Calibration;

namespace MlNetMnist.Tests.Calibration;

public class CalibrationFittingTests
{
    /// <summary>
    /// Rows whose labels are drawn from softmax(z) (so z is calibrated), seen through overconfident logits
    /// 3z: the fitted temperature finds the 3 back, and the expected calibration error falls.
    /// </summary>
    [Fact]
    public void TemperatureScalingFindsTheOverconfidenceAndLowersTheCalibrationError()
    {
        const int rows = 20_000, classes = 10;
        var random = new Random(7);
        var logits = new float[rows * classes];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            var z = Enumerable.Range(0, classes).Select(_ => (float)(random.NextDouble() * 4)).ToArray();
            z[random.Next(classes)] += 3;
            double sum = z.Sum(v => Math.Exp(v)), u = random.NextDouble() * sum;
            int label = 0;
            for (double acc = Math.Exp(z[0]); acc < u && label < classes - 1; acc += Math.Exp(z[++label])) { }
            labels[r] = label;
            for (int c = 0; c < classes; c++) logits[r * classes + c] = 3 * z[c];
        }

        float t = CalibrationFitting.FitTemperature(logits, classes, labels);
        Assert.InRange(t, 2.8f, 3.2f);
        Assert.True(CalibrationFitting.LogLoss(logits, classes, labels, t) < CalibrationFitting.LogLoss(logits, classes, labels, 1));

        var overconfident = Softmax(logits, classes, 1);
        var scaled = Softmax(logits, classes, t);
        var before = CalibrationReport.Compute(overconfident, classes, labels);
        var after = CalibrationReport.Compute(scaled, classes, labels, temperature: t);
        Assert.True(before.ExpectedCalibrationError > 0.1, $"before {before.ExpectedCalibrationError:P2}");
        Assert.True(after.ExpectedCalibrationError < 0.02, $"after {after.ExpectedCalibrationError:P2}");
        // The report recomputes the error without the temperature from the scaled probabilities.
        Assert.Equal(before.ExpectedCalibrationError, after.ExpectedCalibrationErrorBeforeScaling!.Value, 3);
    }

    [Fact]
    public void TheOutOfDistributionThresholdsFlagTheAskedFractionOfTheCalibrationRows()
    {
        var random = new Random(3);
        var raw = Enumerable.Range(0, 5000).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var calibration = CalibrationFitting.FitOutOfDistribution(raw, 0.02);
        var normalised = new float[6];
        double rate = raw.Count(r => calibration.Score(r, normalised) > 0) / (double)raw.Count;
        Assert.InRange(rate, 0.015, 0.02);
    }

    /// <summary>
    /// Non-digits that only statistic 0 tells apart (normal with mean 1.5 against the digits' standard
    /// normal; the other statistics drawn like the digits'): shared out on them, the budget goes to statistic 0, the digits
    /// flagged stay within the rate, and more non-digits are caught than with equal shares.
    /// </summary>
    [Fact]
    public void NonDigitsShareTheFlagBudgetOutToTheStatisticsThatCatchThem()
    {
        var random = new Random(5);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        float[] Row(float shift) => Enumerable.Range(0, 6).Select(s => Normal() + (s == 0 ? shift : 0)).ToArray();
        var digits = Enumerable.Range(0, 5000).Select(_ => Row(0)).ToList();
        var nonDigits = Enumerable.Range(0, 1000).Select(_ => Row(1.5f)).ToList();

        var equal = CalibrationFitting.FitOutOfDistribution(digits, 0.02);
        var shared = CalibrationFitting.FitOutOfDistribution(digits, 0.02, nonDigits);
        var normalised = new float[6];
        double Rate(OutOfDistributionCalibration c, List<float[]> rows) => rows.Count(r => c.Score(r, normalised) > 0) / (double)rows.Count;

        Assert.Null(equal.Sharing);
        var shares = Assert.IsType<BudgetSharing>(shared.Sharing).Shares;
        Assert.Equal(shares.Max(), shares[0]);
        Assert.All(shares.Skip(1), share => Assert.True(share < shares[0]));
        Assert.InRange(Rate(shared, digits), 0.015, 0.02);
        // Equal shares: each statistic flags ~0.34% of the digits (z > 2.7); statistic 0 then catches ~11% of
        // the non-digits. Shared out, statistic 0 flags up to ~2% of the digits (z > 2.05) and catches ~29%.
        Assert.True(Rate(shared, nonDigits) > Rate(equal, nonDigits) + 0.10, $"shared {Rate(shared, nonDigits):P1}, equal {Rate(equal, nonDigits):P1}");
    }

    /// <summary>
    /// Digits prepared like user images whose one-sided statistics (0-2) sit one standard deviation higher than the
    /// same digits' as they are: pooled at 2%, the prepared ones are flagged at ~2.9% (the tails of those
    /// statistics are theirs); held as a second group, each group is flagged at most 2%.
    /// </summary>
    [Fact]
    public void PreparedDigitsAreAGroupOfTheirOwnHeldToTheSameRate()
    {
        var random = new Random(9);
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        float[] Row(float shift) => Enumerable.Range(0, 6).Select(s => Normal() + (s < 3 ? shift : 0)).ToArray();
        var digits = Enumerable.Range(0, 5000).Select(_ => Row(0)).ToList();
        var prepared = Enumerable.Range(0, 5000).Select(_ => Row(1)).ToList();
        var normalised = new float[6];
        double Rate(OutOfDistributionCalibration c, List<float[]> rows) => rows.Count(r => c.Score(r, normalised) > 0) / (double)rows.Count;

        var pooled = CalibrationFitting.FitOutOfDistribution([.. digits, .. prepared], 0.02);
        var grouped = CalibrationFitting.FitOutOfDistribution(digits, 0.02, preparedDigits: prepared);

        Assert.True(Rate(pooled, prepared) > 0.025, $"pooled: {Rate(pooled, prepared):P2} of the prepared digits flagged");
        Assert.InRange(Rate(grouped, prepared), 0.015, 0.02);
        Assert.True(Rate(grouped, digits) <= 0.02, $"grouped: {Rate(grouped, digits):P2} of the digits flagged");
        Assert.Equal(10_000, grouped.CalibrationRows);
    }

    private static float[] Softmax(float[] logits, int classes, float temperature)
    {
        var p = new float[logits.Length];
        for (int r = 0; r < logits.Length / classes; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            float max = row.ToArray().Max();
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp((row[c] - max) / temperature);
            for (int c = 0; c < classes; c++) p[r * classes + c] = (float)(Math.Exp((row[c] - max) / temperature) / sum);
        }
        return p;
    }
}
