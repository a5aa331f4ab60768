using System.Globalization;
using System.Text;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Reports;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// How a model's service flags the MNIST test digits and the non-digit suite (<see cref="NonDigitImages"/>,
/// 200 per kind, seed 13): the rates at the calibrated threshold, per kind, and the trade-off when the
/// score's threshold moves, next to what the plain top probability catches at the same rate of flagged digits.
/// <see cref="DigitRate"/> is measured on the test digits prepared as the service prepares user images (the
/// rates of the table), <see cref="UnpreparedDigitRate"/> on the test digits as they are (MNIST's own centring).
/// </summary>
public sealed record NonDigitCatch(
    double DigitRate, double UnpreparedDigitRate, double Caught, IReadOnlyDictionary<string, double> CaughtByKind, double TopProbabilityCatch, string Table)
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Measures <paramref name="service"/> (built with confidence threshold 0, so only the score and emptiness flag).</summary>
    public static NonDigitCatch Measure(DigitPredictionService service, MnistSet testSet)
    {
        var centre = new DigitImagePreprocessor();
        var digits = Enumerable.Range(0, testSet.Count)
            .Select(i => service.Predict(centre.ProcessGray(testSet.Pixels.AsSpan(i * 784, 784).ToArray().Select(b => (float)b).ToArray(), 28, 28)))
            .ToArray();
        var suite = NonDigitImages.Create(testSet.Pixels, testSet.Count, perCategory: 200, seed: 13);
        var flagged = suite.Select(s => (s.Category, Prediction: service.Predict(s.Pixels))).ToArray();
        static bool Flagged(DigitPrediction p) => p.NeedsReview || p.IsEmpty;

        double digitRate = digits.Count(Flagged) / (double)digits.Length;
        double unpreparedRate = Enumerable.Range(0, testSet.Count)
            .Count(i => Flagged(service.Predict(testSet.Pixels.AsSpan(i * 784, 784).ToArray().Select(b => (float)b).ToArray()))) / (double)testSet.Count;
        double caught = flagged.Count(x => Flagged(x.Prediction)) / (double)flagged.Length;
        var byKind = NonDigitImages.Categories.ToDictionary(
            c => c, c => flagged.Where(x => x.Category == c).Count(x => Flagged(x.Prediction)) / (double)flagged.Count(x => x.Category == c));

        var table = new StringBuilder();
        table.AppendLine(string.Format(Ci, "MNIST test digits flagged: {0:P2} (as they are: {1:P2}); non-digits caught: {2:P1}", digitRate, unpreparedRate, caught));
        foreach (var (kind, rate) in byKind) table.AppendLine(string.Format(Ci, "  {0,-15} caught {1:P1}", kind, rate));
        float[] digitScores = digits.Select(p => p.OutOfDistributionScore ?? float.NegativeInfinity).ToArray();
        float[] suiteScores = flagged.Select(x => x.Prediction.OutOfDistributionScore ?? float.PositiveInfinity).ToArray();
        // The plain top-probability baseline, the report's own (OutOfDistributionTradeOff.TopProbabilityAt).
        float[] sortedDigitTop = digits.Select(p => p.Probability).Order().ToArray();
        float[] nonDigitTop = flagged.Select(x => x.Prediction.Probability).ToArray();
        table.AppendLine("threshold  digits flagged  non-digits caught  top probability below  its catch at that digit rate");
        foreach (float t in new[] { 2f, 1f, 0.5f, 0.25f, 0f, -0.25f, -0.5f, -1f })
        {
            double d = digitScores.Count(s => s > t) / (double)digitScores.Length, c = suiteScores.Count(s => s > t) / (double)suiteScores.Length;
            var (p, baseline) = OutOfDistributionTradeOff.TopProbabilityAt(sortedDigitTop, nonDigitTop, d);
            table.AppendLine(string.Format(Ci, "{0,9:F2}  {1,14:P2}  {2,17:P1}  {3,21:F4}  {4:P1}", t, d, c, p, baseline));
        }
        var (_, topProbabilityCatch) = OutOfDistributionTradeOff.TopProbabilityAt(sortedDigitTop, nonDigitTop, digitRate);
        return new NonDigitCatch(digitRate, unpreparedRate, caught, byKind, topProbabilityCatch, table.ToString());
    }
}
