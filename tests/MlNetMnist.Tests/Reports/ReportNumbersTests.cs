using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Reports;

/// <summary>The numbers of <see cref="MetricsReport.Evaluate(MLContext, ITransformer, IDataView, ReportOptions?)"/> against ML.NET's own.</summary>
[Collection(ReportCollection.Name)]
public sealed class ReportNumbersTests(MnistReportFixture f)
{
    /// <summary>Asserts that <paramref name="report"/> holds exactly the numbers of <paramref name="metrics"/>.</summary>
    internal static void AssertMatchesMlNet(MulticlassClassificationMetrics metrics, MetricsReport report)
    {
        var cm = metrics.ConfusionMatrix;
        int k = cm.NumberOfClasses;
        Assert.Equal(k, report.ClassCount);
        Assert.Equal(metrics.MicroAccuracy, report.MicroAccuracy);
        Assert.Equal(metrics.MacroAccuracy, report.MacroAccuracy);
        Assert.Equal(metrics.LogLoss, report.LogLoss);
        Assert.Equal(metrics.LogLossReduction, report.LogLossReduction);
        Assert.Equal(metrics.TopKPredictionCount, report.TopKPredictionCount);
        Assert.Equal(metrics.TopKAccuracy, report.TopKAccuracy);
        for (int t = 0; t < k; t++)
        {
            var c = report.PerClass[t];
            Assert.Equal(report.ClassNames[t], c.ClassName);
            Assert.Equal(cm.PerClassPrecision[t], c.Precision);
            Assert.Equal(cm.PerClassRecall[t], c.Recall);
            Assert.Equal(metrics.PerClassLogLoss[t], c.LogLoss);
            Assert.Equal(cm.Counts[t], report.ConfusionMatrix[t]);
            Assert.Equal(cm.Counts[t].Sum(), c.Support);
            Assert.Equal(cm.Counts[t][t], c.Correct);
            Assert.Equal(Enumerable.Range(0, k).Sum(r => cm.Counts[r][t]), c.Predicted);
            for (int p = 0; p < k; p++) Assert.Equal(cm.GetCountForClassPair(p, t), report.ConfusionMatrix[t][p]);
        }
        Assert.Equal(cm.Counts.Sum(row => row.Sum()), report.TotalCount);
    }

    [Fact]
    public void NumbersAreMlNetsExactly()
    {
        AssertMatchesMlNet(f.Metrics, f.Report);
        Assert.Equal(MnistReportFixture.TestRows, f.Report.TotalCount);
        Assert.Equal(5, f.Report.TopKPredictionCount);
        Assert.True(f.Report.MicroAccuracy > 0.5, $"accuracy {f.Report.MicroAccuracy}");
        // Keys in order of first occurrence in the training labels, as the slot names of Score say.
        Assert.Equal(new[] { "5", "0", "4", "1", "9" }, f.Report.ClassNames.Take(5));
    }

    [Fact]
    public void RatesAreTheRowNormalisedCountsAndTheDiagonalIsTheRecall()
    {
        var r = f.Report;
        for (int t = 0; t < r.ClassCount; t++)
        {
            Assert.Equal(1.0, r.ConfusionRates[t].Sum(), 12);
            for (int p = 0; p < r.ClassCount; p++)
                Assert.Equal(r.ConfusionMatrix[t][p] / r.PerClass[t].Support, r.ConfusionRates[t][p], 15);
            Assert.Equal(r.PerClass[t].Recall, r.ConfusionRates[t][t], 12);
        }
        Assert.Equal(r.TotalCount - Enumerable.Range(0, r.ClassCount).Sum(c => r.ConfusionMatrix[c][c]), r.ErrorCount);
    }

    [Fact]
    public void TopConfusionsAreTheOffDiagonalCellsMostFrequentFirst()
    {
        var r = f.Report;
        var cells = Enumerable.Range(0, r.ClassCount).SelectMany(t => Enumerable.Range(0, r.ClassCount).Select(p => (t, p)))
            .Where(c => c.t != c.p && r.ConfusionMatrix[c.t][c.p] > 0).ToList();
        Assert.Equal(cells.Count, r.TopConfusions.Count);
        Assert.NotEmpty(r.TopConfusions);
        Assert.Equal(r.ErrorCount, r.TopConfusions.Sum(c => c.Count));
        for (int i = 0; i < r.TopConfusions.Count; i++)
        {
            var c = r.TopConfusions[i];
            Assert.NotEqual(c.TrueIndex, c.PredictedIndex);
            Assert.Equal(r.ConfusionMatrix[c.TrueIndex][c.PredictedIndex], c.Count);
            Assert.Equal(r.ClassNames[c.TrueIndex], c.TrueClass);
            Assert.Equal(r.ClassNames[c.PredictedIndex], c.PredictedClass);
            Assert.Equal(r.ConfusionRates[c.TrueIndex][c.PredictedIndex], c.Rate, 15);
            if (i > 0) Assert.True(r.TopConfusions[i - 1].Count >= c.Count);
        }
    }

    [Fact]
    public void MisclassifiedExamplesAreRealErrorsWithTheirImagesAndScores()
    {
        var r = f.Report;
        var scores = f.Scored.GetColumn<float[]>("Score").ToArray();
        Assert.NotEmpty(r.Misclassified);
        Assert.Equal(ImageShape.Mnist, r.ImageShape);
        foreach (var e in r.Misclassified)
        {
            int row = checked((int)e.Row);
            Assert.Equal(f.TestSet.Labels[row].ToString(), e.TrueLabel);
            Assert.Equal(r.ClassNames[e.TrueIndex], e.TrueLabel);
            Assert.Equal(r.ClassNames[e.PredictedIndex], e.PredictedLabel);
            Assert.NotEqual(e.TrueIndex, e.PredictedIndex);
            Assert.Equal(f.TestSet.Pixels.AsSpan(row * 784, 784).ToArray(), e.Pixels);
            Assert.Equal(Array.IndexOf(scores[row], scores[row].Max()), e.PredictedIndex);
            Assert.Equal(scores[row][e.PredictedIndex], e.Confidence);
            Assert.Equal(scores[row][e.TrueIndex], e.TrueClassScore);
        }
        Assert.Equal(r.Misclassified.OrderByDescending(e => e.Confidence).ThenBy(e => e.Row).Select(e => e.Row), r.Misclassified.Select(e => e.Row));
        Assert.Equal(r.Misclassified.Count, r.Misclassified.Select(e => e.Row).Distinct().Count());

        // Each of the most frequent confusions has its most confident examples, up to 8.
        var defaults = new ReportOptions();
        foreach (var c in r.TopConfusions.Take(defaults.ConfusionsWithExamples))
        {
            var kept = r.Misclassified.Where(e => e.TrueIndex == c.TrueIndex && e.PredictedIndex == c.PredictedIndex).ToList();
            Assert.True(kept.Count >= Math.Min(c.Count, defaults.ExamplesPerConfusion), $"{c.TrueClass}->{c.PredictedClass}: {kept.Count} of {c.Count} kept");
        }
        // The most confident errors of all are kept.
        var confidences = Enumerable.Range(0, scores.Length)
            .Where(i => Array.IndexOf(scores[i], scores[i].Max()) != r.ClassNames.ToList().IndexOf(f.TestSet.Labels[i].ToString()))
            .Select(i => (double)scores[i].Max()).OrderDescending().Take(defaults.MostConfidentErrors).ToList();
        Assert.Equal(confidences, r.Misclassified.Select(e => e.Confidence).Take(confidences.Count));
    }

    [Fact]
    public void WithRoomForAllErrorsEveryMisclassifiedRowIsKeptAndTheyAddUpToTheMatrix()
    {
        var all = MetricsReport.EvaluateScored(f.Ml, f.Scored, new ReportOptions { MostConfidentErrors = 100_000, SampleImageCount = 0 });
        AssertMatchesMlNet(f.Metrics, all);
        Assert.Equal(all.ErrorCount, all.Misclassified.Count);
        foreach (var c in all.TopConfusions)
            Assert.Equal(c.Count, all.Misclassified.Count(e => e.TrueIndex == c.TrueIndex && e.PredictedIndex == c.PredictedIndex));
        Assert.Empty(all.SampleImages);
        Assert.Null(all.Training);
    }

    [Fact]
    public void ALoadedModelGivesTheSameReportWithoutTrainingCurves()
    {
        AssertMatchesMlNet(f.LoadedMetrics, f.LoadedReport);
        Assert.Equal(f.Report.ClassNames, f.LoadedReport.ClassNames);
        Assert.Equal(f.Report.ConfusionMatrix, f.LoadedReport.ConfusionMatrix);
        Assert.Equal(f.Report.MicroAccuracy, f.LoadedReport.MicroAccuracy);
        Assert.Equal(f.Report.TopConfusions, f.LoadedReport.TopConfusions);
        Assert.Equal(f.Report.Misclassified.Select(e => (e.Row, e.TrueLabel, e.PredictedLabel)),
            f.LoadedReport.Misclassified.Select(e => (e.Row, e.TrueLabel, e.PredictedLabel)));
        Assert.Equal(ImageShape.Mnist, f.LoadedReport.ImageShape);
        Assert.Null(f.LoadedReport.Training);
        Assert.Empty(f.LoadedReport.Metadata!.Model);
        // Without SampleData the samples are the evaluated rows.
        Assert.Equal(f.TestSet.Labels.Take(40).Select(l => l.ToString()), f.LoadedReport.SampleImages.Select(s => s.Label));
    }

    [Fact]
    public void TrainingCurvesAndMetadataComeFromTheModel()
    {
        var training = f.Report.Training;
        Assert.NotNull(training);
        var epoch = Assert.Single(training.Epochs);
        Assert.Equal(1, epoch.Epoch);
        Assert.True(training.HasValidation);
        Assert.NotNull(epoch.ValidationAccuracy);

        var metadata = f.Report.Metadata!;
        Assert.Equal(ReportMetadata.CurrentLibraryVersion, metadata.LibraryVersion);
        Assert.False(string.IsNullOrWhiteSpace(metadata.LibraryVersion));
        Assert.True(DateTimeOffset.UtcNow - metadata.CreatedAt < TimeSpan.FromHours(1));
        Assert.Contains(new MetadataEntry("Epochs", "1"), metadata.Model);
        Assert.Contains(new MetadataEntry("Input shape", "1x28x28"), metadata.Model);
        Assert.Contains(metadata.Model, e => e.Name == "Network" && e.Value.Length > 0);
        Assert.DoesNotContain(metadata.Model, e => e.Name == "Progress");
        Assert.Contains(new MetadataEntry("Rows evaluated", "1,000"), metadata.Data);
    }

    [Fact]
    public void SampleImagesAreTheFirstTrainingImagesWithTheirLabels()
    {
        var samples = f.Report.SampleImages;
        Assert.Equal(new ReportOptions().SampleImageCount, samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            Assert.Equal(i, samples[i].Row);
            Assert.Equal(f.TrainSet.Labels[i].ToString(), samples[i].Label);
            Assert.Equal(f.TrainSet.Pixels.AsSpan(i * 784, 784).ToArray(), samples[i].Pixels);
        }
    }

    [Fact]
    public void JsonRoundTripsTheWholeReport()
    {
        string json = f.Report.ToJson();
        var back = MetricsReport.FromJson(json);
        Assert.Equal(f.Report, back);
        Assert.Equal(f.Report.Misclassified[0].Pixels, back.Misclassified[0].Pixels);
        Assert.Equal(f.Report.Training!.Epochs, back.Training!.Epochs);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(10, root.GetProperty("confusionRates").GetArrayLength());
        Assert.Equal(f.Report.TopConfusions.Count, root.GetProperty("topConfusions").GetArrayLength());
        Assert.Equal("1x28x28", $"{root.GetProperty("imageShape").GetProperty("channels")}x{root.GetProperty("imageShape").GetProperty("height")}x{root.GetProperty("imageShape").GetProperty("width")}");
        // The report of metrics alone (the --metrics-json file) still reads back.
        var plain = MetricsReport.Create(f.Metrics, f.Scored.Schema);
        Assert.Equal(plain, MetricsReport.FromJson(plain.ToJson()));
        Assert.Equal(f.Report.TopConfusions, plain.TopConfusions);
    }

    [Fact]
    public void BadColumnsAreReportedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => MetricsReport.EvaluateScored(f.Ml, f.Scored, new ReportOptions { LabelColumnName = "Nope" }));
        Assert.Contains("'Nope'", e.Message);
        e = Assert.Throws<ArgumentException>(() => MetricsReport.EvaluateScored(f.Ml, f.Scored, new ReportOptions { ScoreColumnName = "Label" }));
        Assert.Contains("Score column 'Label'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricsReport.EvaluateScored(f.Ml, f.Scored, new ReportOptions { ExamplesPerConfusion = -1 }));
    }
}
