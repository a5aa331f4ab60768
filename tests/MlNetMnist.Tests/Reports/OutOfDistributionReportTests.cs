using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Reports;

/// <summary>The report's out-of-distribution trade-off: flagged digits against caught non-digits, per threshold.</summary>
[Collection(ReportCollection.Name)]
public sealed class OutOfDistributionReportTests(MnistReportFixture f)
{
    /// <summary>
    /// Ten digits with scores -0.9..0.9 (one above 0.5, ... five above 0) and top probabilities 0.1..1.0;
    /// four non-digits. Each point counts the scores above its threshold, and the top-probability baseline
    /// takes the digits' top probability at the same rank.
    /// </summary>
    [Fact]
    public void EachPointCountsTheScoresAboveItsThresholdAndTheTopProbabilityBaselineFlagsAsManyDigits()
    {
        float[] digitScores = [-0.9f, -0.7f, -0.5f, -0.3f, -0.1f, 0.1f, 0.3f, 0.45f, 0.6f, 1.5f];
        float[] digitTop = [1.0f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f];
        float[] nonDigitScores = [2f, 0.4f, -0.2f, -0.6f];
        float[] nonDigitTop = [0.05f, 0.35f, 0.55f, 0.95f];

        var t = OutOfDistributionTradeOff.Compute(digitScores, digitTop, nonDigitScores, nonDigitTop, "four images");

        Assert.Equal(OutOfDistributionTradeOff.Thresholds, t.Points.Select(p => p.Threshold));
        Assert.Equal([0.1, 0.2, 0.4, 0.5, 0.6, 0.7], t.Points.Select(p => p.DigitsFlagged));
        Assert.Equal([0.25, 0.25, 0.5, 0.5, 0.75, 0.75], t.Points.Select(p => p.NonDigitsCaught!.Value));
        var calibrated = t.Calibrated!;
        Assert.Equal(0, calibrated.Threshold);
        // Half the digits flagged: the top probability at rank 5 of the sorted ten is 0.6; non-digits below it: 0.05, 0.35, 0.55.
        Assert.Equal(0.6f, (float)calibrated.TopProbabilityThreshold);
        Assert.Equal(0.75, calibrated.TopProbabilityCatch);
        Assert.Equal((10, 4, "four images"), (t.DigitRows, t.NonDigitRows, t.NonDigitDescription));

        var digitsOnly = OutOfDistributionTradeOff.Compute(digitScores, digitTop, [], [], "ignored");
        Assert.All(digitsOnly.Points, p => Assert.Null(p.NonDigitsCaught));
        Assert.Null(digitsOnly.NonDigitDescription);
        Assert.Equal(t.Points.Select(p => p.DigitsFlagged), digitsOnly.Points.Select(p => p.DigitsFlagged));
    }

    [Fact]
    public void TheReportOfACalibratedModelGivesTheDigitsItsScoreFlags()
    {
        var ood = Assert.IsType<OutOfDistributionTradeOff>(f.Report.OutOfDistribution);
        Assert.Equal(MnistReportFixture.TestRows, ood.DigitRows);
        Assert.Equal(0, ood.NonDigitRows);
        var scores = Scores(f.Scored);
        Assert.Equal(scores.Count(s => s > 0) / (double)scores.Length, ood.Calibrated!.DigitsFlagged);
        Assert.Null(ood.Calibrated.NonDigitsCaught);

        // The model loaded from model.zip computes the score in its ONNX graph: the same flags within a row or two.
        var loaded = Assert.IsType<OutOfDistributionTradeOff>(f.LoadedReport.OutOfDistribution);
        foreach (var (a, b) in ood.Points.Zip(loaded.Points)) Assert.InRange(Math.Abs(a.DigitsFlagged - b.DigitsFlagged), 0, 0.002);
    }

    /// <summary>Non-digit images (the test suite's, from test digits) given to the report are scored with the model and counted.</summary>
    [Fact]
    public void NonDigitImagesGivenToTheReportAreScoredByTheModelAndCaughtPerThreshold()
    {
        var suite = NonDigitImages.Create(f.TestSet.Pixels, f.TestSet.Count, perCategory: 20, seed: 13);
        var pixels = suite.SelectMany(s => s.Pixels.Select(ColumnReaders.ToByte)).ToArray();
        var nonDigits = new InMemoryImageDataView(pixels, 784, new uint[suite.Count]);
        var report = MetricsReport.Evaluate(f.Ml, f.LoadedModel, f.Test, new ReportOptions { NonDigitData = nonDigits, NonDigitDescription = "the test suite, 20 per kind" });

        var ood = report.OutOfDistribution!;
        Assert.Equal(suite.Count, ood.NonDigitRows);
        Assert.Equal("the test suite, 20 per kind", ood.NonDigitDescription);
        var scores = Scores(f.LoadedModel.Transform(nonDigits));
        foreach (var p in ood.Points) Assert.Equal(scores.Count(s => s > p.Threshold) / (double)scores.Length, p.NonDigitsCaught!.Value);
        // Noise and textures alone are a fifth each and always caught; the curve only rises as the threshold falls.
        Assert.True(ood.Calibrated!.NonDigitsCaught >= 0.4, $"caught {ood.Calibrated.NonDigitsCaught:P1}");
        Assert.Equal(ood.Points.Select(p => p.NonDigitsCaught), ood.Points.Select(p => p.NonDigitsCaught).Order());

        var again = MetricsReport.FromJson(report.ToJson());
        Assert.Equal(ood, again.OutOfDistribution);
        string html = HtmlReportWriter.ToHtml(report);
        Assert.Contains("id=\"out-of-distribution-table\"", html);
        Assert.Contains("the test suite, 20 per kind", html);
        string markdown = MarkdownReportWriter.ToMarkdown(report);
        Assert.Contains("## Out-of-distribution score", markdown);
        Assert.Contains("| 0.00 (calibrated) |", markdown);
    }

    private static float[] Scores(IDataView scored)
    {
        var column = scored.Schema[DefaultColumnNames.OutOfDistributionScore];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        var scores = new List<float>();
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            scores.Add(buffer.GetItemOrDefault(0));
        }
        return scores.ToArray();
    }
}
