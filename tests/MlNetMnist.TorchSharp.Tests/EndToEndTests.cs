using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;

namespace MlNetMnist.Tests;

public class EndToEndTests : IClassFixture<SmallMnistModelFixture>
{
    private readonly SmallMnistModelFixture _f;

    public EndToEndTests(SmallMnistModelFixture fixture) => _f = fixture;

    [Fact]
    public void TrainingMovesTestAccuracyFarAboveChance()
    {
        var metrics = _f.Ml.MulticlassClassification.Evaluate(_f.Model.Transform(_f.Test));
        // 3,000 images and 2 epochs; chance is 10%.
        Assert.True(metrics.MicroAccuracy > 0.90, $"micro accuracy {metrics.MicroAccuracy:P2}");
        Assert.True(metrics.LogLossReduction > 0.5, $"log-loss reduction {metrics.LogLossReduction:F3}");
    }

    [Fact]
    public void ProgressIsReportedForEveryEpochWithValidation()
    {
        Assert.Equal(new[] { 1, 2 }, _f.Epochs.Select(e => e.Epoch));
        Assert.All(_f.Epochs, e =>
        {
            Assert.Equal(2, e.Epochs);
            Assert.True(e.TrainLoss > 0 && double.IsFinite(e.TrainLoss));
            Assert.InRange(e.TrainAccuracy, 0.0, 1.0);
            Assert.NotNull(e.ValidationAccuracy);
            Assert.True(e.LearningRate >= 0);
            Assert.True(e.EpochTime > TimeSpan.Zero);
        });
        Assert.True(_f.Epochs[1].TrainLoss < _f.Epochs[0].TrainLoss, "loss did not fall from epoch 1 to 2");
        // One-cycle: the rate at the end of the first half is near the peak, and anneals to near zero by the end.
        Assert.True(_f.Epochs[0].LearningRate > _f.Epochs[1].LearningRate);
        Assert.Equal(_f.Epochs, _f.Classifier.History.Epochs);
    }

    [Fact]
    public void EvaluateAgreesWithAccuracyComputedFromThePredictions()
    {
        var scored = _f.Model.Transform(_f.Test);
        var metrics = _f.Ml.MulticlassClassification.Evaluate(scored);

        // Independently: argmax of Score vs. the key of Label, and per-class recall for macro accuracy.
        var rows = _f.Ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();
        var keyOrder = _f.Classifier.ClassNames;
        int correct = 0;
        var perClassTotal = new int[keyOrder.Count];
        var perClassCorrect = new int[keyOrder.Count];
        foreach (var row in rows)
        {
            int truth = (int)row.Label - 1; // Label is still the key here
            int predicted = Array.IndexOf(row.Score, row.Score.Max());
            perClassTotal[truth]++;
            if (predicted == truth) { correct++; perClassCorrect[truth]++; }
            Assert.Equal(keyOrder[predicted], row.PredictedLabel.ToString());
        }
        Assert.Equal(10_000, rows.Count);
        Assert.Equal(correct / 10_000.0, metrics.MicroAccuracy, 12);
        double macro = Enumerable.Range(0, keyOrder.Count).Average(c => perClassCorrect[c] / (double)perClassTotal[c]);
        Assert.Equal(macro, metrics.MacroAccuracy, 12);
        // Row sums of the confusion matrix are the class supports.
        for (int c = 0; c < keyOrder.Count; c++)
            Assert.Equal(perClassTotal[c], metrics.ConfusionMatrix.Counts[c].Sum(), 6);
    }

    [Fact]
    public void OutputColumnsHaveClassNamesAndTheLabelKeyType()
    {
        var schema = _f.Classifier.GetOutputSchema(_f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(_f.Train).Transform(_f.Train).Schema);
        var score = schema["Score"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 10), score.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        score.GetSlotNames(ref names);
        // Keys follow first occurrence in the training labels: 5, 0, 4, 1, 9, ...
        Assert.Equal(new[] { "5", "0", "4", "1", "9" }, names.DenseValues().Take(5).Select(n => n.ToString()));
        Assert.Equal(_f.Classifier.ClassNames, names.DenseValues().Select(n => n.ToString()));
        var predicted = schema["PredictedLabel"];
        Assert.Equal(new KeyDataViewType(typeof(uint), 10), predicted.Type);
    }

    [Fact]
    public void ScoresAreProbabilitiesAndBatchedScoringMatchesSingleRows()
    {
        var scored = _f.Model.Transform(MnistData.Load(_f.Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 700));
        var rows = _f.Ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();
        Assert.Equal(700, rows.Count);
        using var engine = _f.Ml.Model.CreatePredictionEngine<MnistRow, ScoredRow>(_f.Model, new PredictionEngineOptions { OwnsTransformer = false });
        var inputs = _f.Ml.Data.CreateEnumerable<MnistRow>(MnistData.Load(_f.Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 700), false).ToList();
        foreach (int i in new[] { 0, 1, 2, 511, 512, 699 })
        {
            Assert.Equal(1.0, rows[i].Score.Sum(), 4);
            var single = engine.Predict(inputs[i]);
            Assert.Equal(rows[i].PredictedLabel, single.PredictedLabel);
            for (int c = 0; c < 10; c++)
                Assert.True(Math.Abs(rows[i].Score[c] - single.Score[c]) <= 1e-5, $"row {i} class {c}: batch {rows[i].Score[c]} vs single {single.Score[c]}");
        }
    }

    [Fact]
    public void SavedModelLoadsAndScoresTheSameOnAllTestImages()
    {
        string dir = TestData.NewTempDirectory();
        string path = Path.Combine(dir, "model.zip");
        _f.Ml.Model.Save(_f.Model, _f.Train.Schema, path);
        var loaded = _f.Ml.Model.Load(path, out var inputSchema);
        Assert.NotNull(inputSchema.GetColumnOrNull("Features"));

        var original = _f.Ml.Data.CreateEnumerable<ScoredRow>(_f.Model.Transform(_f.Test), false).ToList();
        var reloaded = _f.Ml.Data.CreateEnumerable<ScoredRow>(loaded.Transform(_f.Test), false).ToList();
        Assert.Equal(10_000, reloaded.Count);
        double maxDiff = 0;
        int labelDiffs = 0;
        for (int i = 0; i < original.Count; i++)
        {
            for (int c = 0; c < 10; c++) maxDiff = Math.Max(maxDiff, Math.Abs(original[i].Score[c] - reloaded[i].Score[c]));
            if (original[i].PredictedLabel != reloaded[i].PredictedLabel) labelDiffs++;
        }
        Assert.True(maxDiff <= 1e-5, $"max |score difference| {maxDiff:E2}");
        Assert.Equal(0, labelDiffs);

        var m1 = _f.Ml.MulticlassClassification.Evaluate(_f.Model.Transform(_f.Test));
        var m2 = _f.Ml.MulticlassClassification.Evaluate(loaded.Transform(_f.Test));
        Assert.Equal(m1.MicroAccuracy, m2.MicroAccuracy);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void StandaloneOnnxExportHasBatchInputAndClassNames()
    {
        string dir = TestData.NewTempDirectory();
        string path = Path.Combine(dir, "model.onnx");
        _f.Classifier.ExportOnnx(path);
        var info = MlNetMnist.Onnx.OnnxModelInfo.Read(File.ReadAllBytes(path));
        Assert.Equal(string.Join("\n", _f.Classifier.ClassNames), info.Metadata["class_names"]);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        Assert.Equal(new[] { -1, 784 }, session.InputMetadata["Features"].Dimensions);
        Directory.Delete(dir, true);
    }

    public sealed class MnistRow
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class ScoredRow
    {
        public uint Label { get; set; }

        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
