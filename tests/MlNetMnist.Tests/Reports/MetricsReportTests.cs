using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Reports;

[Collection(TrainingCollection.Name)]
public sealed class MetricsReportTests : IClassFixture<SmallEvaluationFixture>
{
    private readonly SmallEvaluationFixture _f;

    public MetricsReportTests(SmallEvaluationFixture fixture) => _f = fixture;

    private static string[] ScoreSlotNames(IDataView scored)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Score"].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    [Fact]
    public void ReportCopiesTheMetricsOfMlNet()
    {
        var m = _f.Metrics;
        var report = MetricsReport.Create(m, _f.Scored.Schema);

        Assert.Equal(m.MicroAccuracy, report.MicroAccuracy);
        Assert.Equal(m.MacroAccuracy, report.MacroAccuracy);
        Assert.Equal(m.LogLoss, report.LogLoss);
        Assert.Equal(m.LogLossReduction, report.LogLossReduction);
        Assert.Equal(3, report.TopKPredictionCount);
        Assert.Equal(m.TopKAccuracy, report.TopKAccuracy);
        Assert.Equal(m.TopKAccuracyForAllK, report.TopKAccuracyForAllK);
        Assert.True(report.MicroAccuracy > 0.5, $"micro accuracy {report.MicroAccuracy:P2}");

        var cm = m.ConfusionMatrix;
        Assert.Equal(10, report.ClassCount);
        Assert.Equal(10, report.PerClass.Count);
        Assert.Equal(10, report.ConfusionMatrix.Count);
        for (int c = 0; c < 10; c++)
        {
            var pc = report.PerClass[c];
            Assert.Equal(report.ClassNames[c], pc.ClassName);
            Assert.Equal(cm.PerClassPrecision[c], pc.Precision);
            Assert.Equal(cm.PerClassRecall[c], pc.Recall);
            // A class never predicted and never right has precision = recall = 0: F1 is 0, not 0/0.
            double expectedF1 = pc.Precision + pc.Recall == 0 ? 0 : 2 * pc.Precision * pc.Recall / (pc.Precision + pc.Recall);
            Assert.Equal(expectedF1, pc.F1, 12);
            Assert.Equal(cm.Counts[c].Sum(), pc.Support);
            Assert.Equal(m.PerClassLogLoss[c], pc.LogLoss);
            Assert.Equal(cm.Counts[c], report.ConfusionMatrix[c]);
            for (int p = 0; p < 10; p++) Assert.Equal(cm.GetCountForClassPair(p, c), report.ConfusionMatrix[c][p]);
        }
        Assert.Equal(SmallEvaluationFixture.TestRows, report.TotalCount);

        // Accuracies recomputed from the matrix.
        double diagonal = Enumerable.Range(0, 10).Sum(c => report.ConfusionMatrix[c][c]);
        Assert.Equal(diagonal / report.TotalCount, report.MicroAccuracy, 12);
        Assert.Equal(report.PerClass.Average(c => c.Recall), report.MacroAccuracy, 12);
    }

    [Fact]
    public void ClassNamesOfAnInProcessModelComeFromTheScoreSlotNamesAndMatchTheTrueLabels()
    {
        var report = MetricsReport.Create(_f.Metrics, _f.Scored.Schema);
        Assert.Equal(ScoreSlotNames(_f.Scored), report.ClassNames);
        // Keys follow the first occurrence in the training labels: 5, 0, 4, 1, 9, ...
        Assert.Equal(new[] { "5", "0", "4", "1", "9" }, report.ClassNames.Take(5));
        AssertSupportsAreTheTestLabelCounts(report);
    }

    [Fact]
    public void ClassNamesOfALoadedModelAreItsScoreSlotNamesSavedInTheOnnxGraph()
    {
        // The saved model scores through ONNX, whose graph carries the class names (mlnet.Score.SlotNames).
        Assert.Equal(ScoreSlotNames(_f.Scored), ScoreSlotNames(_f.LoadedScored));
        Assert.Equal(ScoreSlotNames(_f.Scored), ClassNames.FromKeyValues(_f.LoadedScored.Schema["Label"], 10));

        var report = MetricsReport.Create(_f.LoadedMetrics, _f.LoadedScored.Schema);
        Assert.Equal(ScoreSlotNames(_f.Scored), report.ClassNames);
        AssertSupportsAreTheTestLabelCounts(report);
        Assert.Equal(_f.Metrics.MicroAccuracy, report.MicroAccuracy);
    }

    [Fact]
    public void WithScoreSlotNamesLabelsMlNetsConfusionTableOfALoadedModel()
    {
        var named = ClassNames.WithScoreSlotNames(_f.LoadedScored);
        Assert.Equal(ScoreSlotNames(_f.Scored), ScoreSlotNames(named));
        Assert.Equal(_f.LoadedScored.GetRowCount(), named.GetRowCount());

        var metrics = _f.Ml.MulticlassClassification.Evaluate(named, topKPredictionCount: 3);
        Assert.Equal(_f.LoadedMetrics.MicroAccuracy, metrics.MicroAccuracy);
        Assert.Equal(_f.LoadedMetrics.LogLoss, metrics.LogLoss);
        // Same class order and counts as the in-process model, so the same table.
        Assert.Equal(_f.Metrics.ConfusionMatrix.GetFormattedConfusionTable(), metrics.ConfusionMatrix.GetFormattedConfusionTable());
        // A view that already has slot names is returned as it is.
        Assert.Same(_f.Scored, ClassNames.WithScoreSlotNames(_f.Scored));
    }

    [Fact]
    public void ClassNamesFallBackToNumbers()
    {
        var view = _f.Ml.Data.LoadFromEnumerable(new[] { new PlainScoredRow() });
        Assert.Equal(new[] { "0", "1", "2" }, ClassNames.FromSchema(view.Schema, 3));
        // Names are only taken from a source that has exactly the number of classes.
        var keyed = _f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(_f.Test).Transform(_f.Test);
        Assert.Equal(10, ClassNames.FromSchema(keyed.Schema, 10).Count);
        Assert.Equal(ClassNames.Numbered(4), ClassNames.FromSchema(keyed.Schema, 4));
        Assert.Same(view, ClassNames.WithScoreSlotNames(view));
    }

    [Fact]
    public void CreateWithoutNamesNumbersTheClassesAndRefusesTheWrongNumberOfNames()
    {
        var report = MetricsReport.Create(_f.Metrics);
        Assert.Equal(ClassNames.Numbered(10), report.ClassNames);
        var e = Assert.Throws<ArgumentException>(() => MetricsReport.Create(_f.Metrics, new[] { "a", "b" }));
        Assert.Contains("2 class names", e.Message);
    }

    [Fact]
    public void JsonRoundTripsAndIsCamelCase()
    {
        var report = MetricsReport.Create(_f.Metrics, _f.Scored.Schema);
        string json = report.ToJson();
        var back = MetricsReport.FromJson(json);
        Assert.Equal(report, back);
        Assert.Equal(report.ToJson(), back.ToJson());

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(report.MicroAccuracy, root.GetProperty("microAccuracy").GetDouble());
        Assert.Equal(10, root.GetProperty("classNames").GetArrayLength());
        Assert.Equal(10, root.GetProperty("confusionMatrix").GetArrayLength());
        Assert.Equal(10, root.GetProperty("confusionMatrix")[0].GetArrayLength());
        var first = root.GetProperty("perClass")[0];
        foreach (var name in new[] { "className", "precision", "recall", "f1", "support", "logLoss" })
            Assert.True(first.TryGetProperty(name, out _), $"perClass[0] has no '{name}'");
        Assert.False(root.TryGetProperty("classCount", out _));
        Assert.Contains("\n  \"", json); // indented
    }

    [Fact]
    public void JsonKeepsNonFiniteNumbers()
    {
        var report = new MetricsReport
        {
            ClassNames = ["a", "b"],
            MicroAccuracy = 0.5,
            LogLoss = double.PositiveInfinity,
            PerClass = [new ClassMetrics { ClassName = "a", Precision = double.NaN }, new ClassMetrics { ClassName = "b", Precision = 1, Recall = 1, F1 = 1, Support = 2 }],
            ConfusionMatrix = [[0, 0], [0, 2]],
            TotalCount = 2,
        };
        var back = MetricsReport.FromJson(report.ToJson());
        Assert.Equal(report, back);
        Assert.True(double.IsNaN(back.PerClass[0].Precision));
        Assert.Equal(0, ClassMetrics.ComputeF1(0, 0));
        Assert.Equal(0, ClassMetrics.ComputeF1(double.NaN, 1));
    }

    [Fact]
    public void WriteJsonReplacesTheFileAtomically()
    {
        string dir = TestData.NewTempDirectory("mlnetmnist-json");
        try
        {
            string path = Path.Combine(dir, "sub", "metrics.json");
            var report = MetricsReport.Create(_f.Metrics, _f.Scored.Schema);
            report.WriteJson(path);
            Assert.Equal(report, MetricsReport.ReadJson(path));
            File.WriteAllText(path, "old content");
            report.WriteJson(path);
            Assert.Equal(report, MetricsReport.ReadJson(path));
            Assert.Equal(new[] { "metrics.json" }, Directory.GetFiles(Path.Combine(dir, "sub")).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private void AssertSupportsAreTheTestLabelCounts(MetricsReport report)
    {
        foreach (var c in report.PerClass)
        {
            int digit = int.Parse(c.ClassName);
            Assert.Equal(_f.TestLabels.Count(l => l == digit), c.Support);
        }
    }

    private sealed class PlainScoredRow
    {
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = new float[3];
    }
}
