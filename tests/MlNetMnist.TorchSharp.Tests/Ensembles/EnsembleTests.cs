using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;
using MlNetMnist.SavedModels;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Ensembles;

/// <summary>
/// Three fast CNNs (seeds 1-3) and a two-architecture ensemble (fast CNN + MLP), each trained once on
/// the first 2,000 MNIST training images for one epoch, inside the usual pipeline.
/// </summary>
public sealed class EnsembleFixture : IDisposable
{
    public const int TrainRows = 2000;

    public EnsembleFixture()
    {
        Ml = new MLContext(seed: 1);
        Train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 1000);
        var member = new TorchCnnOptions { Epochs = 1, BatchSize = 64, Seed = 1 };
        Model = Fit(new TorchCnnEnsembleOptions { Member = member, Count = 3, MemberStarting = (i, n, o) => Started.Add((i, n, o.Seed!.Value)) });

        var mixed = new TorchCnnEnsembleOptions();
        mixed.Members.Add(new TorchCnnOptions { Epochs = 1, BatchSize = 64, Seed = 7 });
        mixed.Members.Add(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 64, LearningRate = 1e-3, Optimizer = OptimizerKind.Adam, Seed = 8 });
        Mixed = Fit(mixed);
    }

    public MLContext Ml { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public ITransformer Model { get; }

    public ITransformer Mixed { get; }

    public List<(int Index, int Count, int Seed)> Started { get; } = new();

    public TorchCnnEnsembleTransformer Ensemble => Find(Model);

    public TorchCnnEnsembleTransformer MixedEnsemble => Find(Mixed);

    public static TorchCnnEnsembleTransformer Find(ITransformer model) => ((IEnumerable<ITransformer>)model).OfType<TorchCnnEnsembleTransformer>().Single();

    private ITransformer Fit(TorchCnnEnsembleOptions options) =>
        Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(Ml.MulticlassClassification.Trainers.TorchCnnEnsemble(options))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(Train);

    public void Dispose()
    {
        (Model as IDisposable)?.Dispose();
        (Mixed as IDisposable)?.Dispose();
    }
}

public class EnsembleTests : IClassFixture<EnsembleFixture>
{
    private readonly EnsembleFixture _f;

    public EnsembleTests(EnsembleFixture fixture) => _f = fixture;

    [Fact]
    public void MembersAreTrainedWithDistinctSeedsAndDifferentWeights()
    {
        Assert.Equal(new[] { (0, 3, 1), (1, 3, 2), (2, 3, 3) }, _f.Started);
        var members = _f.Ensemble.Members;
        Assert.Equal(new int?[] { 1, 2, 3 }, members.Select(m => m.Options.Seed));
        Assert.All(members, m => Assert.Equal("fast-cnn", m.Network.Name));
        var first = members[0].Weights[members[0].Weights.Names.First()].Values;
        var second = members[1].Weights[members[1].Weights.Names.First()].Values;
        Assert.NotEqual(first, second);
        Assert.Equal(new[] { "fast-cnn", "mlp" }, _f.MixedEnsemble.Members.Select(m => m.Network.Name));
    }

    [Fact]
    public void ScoreIsTheMeanOfTheMembersProbabilities()
    {
        var rows = Rows(_f.Model.Transform(_f.Test));
        var images = Images();
        Assert.Equal(1000, rows.Count);
        foreach (int i in new[] { 0, 1, 255, 256, 999 })
        {
            var expected = new double[10];
            foreach (var member in _f.Ensemble.Members)
            {
                var p = member.Predict(images[i]);
                for (int c = 0; c < 10; c++) expected[c] += p[c] / 3.0;
            }
            for (int c = 0; c < 10; c++)
                Assert.True(Math.Abs(expected[c] - rows[i].Score[c]) <= 1e-5, $"row {i} class {c}: {rows[i].Score[c]} vs mean {expected[c]}");
            Assert.Equal(1.0, rows[i].Score.Sum(), 4);
            Assert.Equal((uint)Array.IndexOf(rows[i].Score, rows[i].Score.Max()), rows[i].PredictedLabel);
            Assert.Equal(expected.Select(v => (float)v), _f.Ensemble.Predict(images[i]), new ToleranceComparer(1e-5f));
        }
    }

    [Fact]
    public void SingleRowPredictionsMatchBatchedScoring()
    {
        var rows = Rows(_f.Model.Transform(_f.Test));
        using var engine = _f.Ml.Model.CreatePredictionEngine<ImageRow, ScoredRow>(_f.Model, new PredictionEngineOptions { OwnsTransformer = false });
        var inputs = _f.Ml.Data.CreateEnumerable<ImageRow>(_f.Test, reuseRowObject: false).ToList();
        foreach (int i in new[] { 0, 300, 999 })
        {
            var single = engine.Predict(inputs[i]);
            Assert.Equal(rows[i].PredictedLabel, single.PredictedLabel);
            Assert.Equal(rows[i].Score, single.Score, new ToleranceComparer(1e-5f));
        }
    }

    [Fact]
    public void EnsembleIsAtLeastAsAccurateAsItsWorstMember()
    {
        double ensemble = _f.Ml.MulticlassClassification.Evaluate(_f.Model.Transform(_f.Test)).MicroAccuracy;
        var keys = _f.Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(_f.Train);
        var members = _f.Ensemble.Members.Select(m => _f.Ml.MulticlassClassification.Evaluate(m.Transform(keys.Transform(_f.Test))).MicroAccuracy).ToList();
        Assert.True(ensemble >= members.Min(), $"ensemble {ensemble:P2}, members {string.Join(", ", members.Select(a => a.ToString("P2")))}");
        Assert.True(ensemble > 0.85, $"ensemble accuracy {ensemble:P2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SavedAsOneOnnxGraphThatLoadsAndScoresTheSame(bool mixed)
    {
        var model = mixed ? _f.Mixed : _f.Model;
        var ensemble = EnsembleFixture.Find(model);
        string dir = TestData.NewTempDirectory();
        try
        {
            string path = Path.Combine(dir, "model.zip");
            ModelFile.Save(_f.Ml, model, _f.Train.Schema, path);

            // One ONNX graph inside model.zip, describing the whole ensemble.
            var metadata = SavedModelMetadata.Read(path);
            Assert.Equal(ensemble.Members.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata["ensemble_members"]);
            Assert.Equal(string.Join(",", ensemble.Members.Select(m => m.Options.Seed)), metadata["ensemble_seeds"]);
            Assert.Equal(string.Join("\n", ensemble.ClassNames), metadata["class_names"]);
            Assert.Equal("1x28x28", metadata["input_shape"]);
            Assert.Single(OnnxEntries(path));

            var loaded = ModelFile.Load(new MLContext(), path, out var schema);
            Assert.NotNull(schema.GetColumnOrNull("Features"));
            Assert.Empty(TransformerChains.Flatten(loaded).OfType<TorchCnnEnsembleTransformer>());
            var original = Rows(model.Transform(_f.Test));
            var reloaded = Rows(loaded.Transform(_f.Test));
            Assert.Equal(original.Count, reloaded.Count);
            double maxDiff = 0;
            for (int i = 0; i < original.Count; i++)
            {
                Assert.Equal(original[i].PredictedLabel, reloaded[i].PredictedLabel);
                for (int c = 0; c < 10; c++) maxDiff = Math.Max(maxDiff, Math.Abs(original[i].Score[c] - reloaded[i].Score[c]));
            }
            Assert.True(maxDiff <= 1e-5, $"max |score difference| {maxDiff:E2}");
            Assert.Equal(_f.Ml.MulticlassClassification.Evaluate(model.Transform(_f.Test)).MicroAccuracy,
                _f.Ml.MulticlassClassification.Evaluate(loaded.Transform(_f.Test)).MicroAccuracy);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void StandaloneOnnxExportAveragesTheMembersOnBatches()
    {
        var ensemble = _f.MixedEnsemble;
        byte[] onnx = ensemble.ExportOnnx();
        Assert.Equal("2", OnnxModelInfo.Read(onnx).Metadata["ensemble_members"]);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.Equal(new[] { -1, 784 }, session.InputMetadata["Features"].Dimensions);
        var images = Images().Take(5).ToArray();
        var outputs = OnnxRunner.Run(session, "Features", images.SelectMany(x => x).ToArray(), [5, 784]);
        var score = (OnnxRunner.Output<float>)outputs["Score"];
        var index = (OnnxRunner.Output<long>)outputs["PredictedIndex"];
        Assert.Equal(new[] { 5, 10 }, score.Dimensions);
        for (int i = 0; i < 5; i++)
        {
            var expected = ensemble.Predict(images[i]);
            Assert.Equal(expected, score.Values.AsSpan(i * 10, 10).ToArray(), new ToleranceComparer(1e-5f));
            Assert.Equal(Array.IndexOf(expected, expected.Max()), (int)index.Values[i]);
        }
    }

    /// <summary>
    /// The image-input export of the two-architecture ensemble (centring once, then both members) gives
    /// on off-centre digits on grey canvases what the same ensemble saved with image input in model.zip
    /// gives when ML.NET loads it.
    /// </summary>
    [Fact]
    public void StandaloneImageOnnxExportScoresImagesLikeTheSavedImageModel()
    {
        var ensemble = _f.MixedEnsemble;
        var options = new DigitImageInputOptions();
        byte[] onnx = ensemble.ExportOnnx(options);
        var metadata = OnnxModelInfo.Read(onnx).Metadata;
        Assert.Equal("2", metadata["ensemble_members"]);
        Assert.Equal("4x128x128", metadata["input_shape"]);
        string dir = TestData.NewTempDirectory();
        try
        {
            var files = ImagePlanes.WriteOffCentreGrey(Path.Combine(dir, "images"), MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 40), 40, seed: 5);
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
            Assert.Equal(new[] { -1, 4, 128, 128 }, session.InputMetadata["Image"].Dimensions);
            var scores = ImagePlanes.Run(session, "Image", ImagePlanes.Extract(files.Select(x => x.Path), 128), 128)["Score"];

            var (model, schema) = _f.Ml.PrependDigitImageInput(_f.Mixed, _f.Train.Schema);
            string zip = Path.Combine(dir, "model.zip");
            ModelFile.Save(_f.Ml, model, schema, zip);
            var ml = new MLContext(seed: 1);
            var loaded = ml.Model.Load(zip, out _);
            var rows = ml.Data.LoadFromEnumerable(files.Select(x => new PathRow { ImagePath = x.Path }));
            var expected = loaded.Transform(rows).GetColumn<float[]>("Score").ToList();
            double maxDiff = 0;
            for (int i = 0; i < files.Count; i++)
                for (int c = 0; c < 10; c++) maxDiff = Math.Max(maxDiff, Math.Abs(scores[i][c] - expected[i][c]));
            Assert.True(maxDiff <= 1e-4, $"max |standalone ONNX - model.zip| {maxDiff:E2}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public uint Label { get; set; }
    }

    [Fact]
    public void DescribeNamesTheMembersAndHistoryIsPerMember()
    {
        var entries = _f.Ensemble.Describe().ToDictionary(e => e.Name, e => e.Value);
        Assert.StartsWith("3 networks", entries["Ensemble"]);
        Assert.Equal("fast-cnn (seed 1), fast-cnn (seed 2), fast-cnn (seed 3)", entries["Members"]);
        Assert.Null(_f.Ensemble.History);
        Assert.All(_f.Ensemble.Members, m => Assert.Single(m.History.Epochs));
    }

    [Fact]
    public void CalibratedMembersKeepTheirTemperaturesInTheSavedGraphAndTheEnsembleHasNoOutOfDistributionColumn()
    {
        var options = new TorchCnnEnsembleOptions { Member = new TorchCnnOptions { Epochs = 1, BatchSize = 100, ValidationFraction = 0.2, Seed = 11 }, Count = 2 };
        var model = _f.Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(_f.Ml.MulticlassClassification.Trainers.TorchCnnEnsemble(options))
            .Fit(_f.Ml.Data.TakeRows(_f.Train, 1000));
        string dir = TestData.NewTempDirectory();
        try
        {
            var ensemble = EnsembleFixture.Find(model);
            Assert.All(ensemble.Members, m => Assert.NotEqual(1f, m.Calibration.Temperature));
            var scored = model.Transform(_f.Test);
            Assert.Null(scored.Schema.GetColumnOrNull(DefaultColumnNames.OutOfDistributionScore));
            Assert.NotNull(ensemble.Members[0].Transform(model.First().Transform(_f.Test)).Schema.GetColumnOrNull(DefaultColumnNames.OutOfDistributionScore));

            string path = Path.Combine(dir, "model.zip");
            ModelFile.Save(_f.Ml, model, _f.Train.Schema, path);
            var metadata = SavedModelMetadata.Read(path);
            Assert.Equal(string.Join(",", ensemble.Members.Select(m => m.Calibration.Temperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), metadata["ensemble_temperatures"]);
            var loaded = ModelFile.Load(new MLContext(), path, out _);
            Assert.Null(loaded.Transform(_f.Test).Schema.GetColumnOrNull(DefaultColumnNames.OutOfDistributionScore));
            var original = Rows(scored);
            var reloaded = Rows(loaded.Transform(_f.Test));
            double maxDiff = 0;
            for (int i = 0; i < original.Count; i++)
                for (int c = 0; c < 10; c++) maxDiff = Math.Max(maxDiff, Math.Abs(original[i].Score[c] - reloaded[i].Score[c]));
            Assert.True(maxDiff <= 1e-5, $"max |score difference| {maxDiff:E2}");
        }
        finally
        {
            (model as IDisposable)?.Dispose();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void WithoutASeedEveryMemberDrawsItsOwnFromTheContextReproducibly()
    {
        IReadOnlyList<int?> Seeds()
        {
            var ml = new MLContext(seed: 5);
            var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(_f.Train);
            var options = new TorchCnnEnsembleOptions { Member = new TorchCnnOptions { Epochs = 1, BatchSize = 200 }, Count = 2 };
            using var ensemble = ml.MulticlassClassification.Trainers.TorchCnnEnsemble(options).Fit(keys.Transform(ml.Data.TakeRows(_f.Train, 400)));
            return ensemble.Members.Select(m => m.Options.Seed).ToList();
        }
        var first = Seeds();
        Assert.All(first, s => Assert.NotNull(s));
        Assert.NotEqual(first[0], first[1]);
        Assert.Equal(first, Seeds());
    }

    [Fact]
    public void BadEnsembleOptionsAreRefusedWithTheirName()
    {
        var trainers = _f.Ml.MulticlassClassification.Trainers;
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => trainers.TorchCnnEnsemble(new TorchCnnEnsembleOptions { Count = 0 }));
        Assert.Contains("Count", count.Message);
        var checkpoint = new TorchCnnEnsembleOptions { Member = new TorchCnnOptions { CheckpointPath = "x.ckpt" } };
        Assert.Contains("checkpoints are not supported", Assert.Throws<ArgumentException>(() => trainers.TorchCnnEnsemble(checkpoint)).Message);
        var columns = new TorchCnnEnsembleOptions();
        columns.Members.Add(new TorchCnnOptions());
        columns.Members.Add(new TorchCnnOptions { FeatureColumnName = "Pixels" });
        Assert.Contains("same columns", Assert.Throws<ArgumentException>(() => trainers.TorchCnnEnsemble(columns)).Message);
        var epochs = new TorchCnnEnsembleOptions { Member = new TorchCnnOptions { Epochs = 0 } };
        Assert.Contains("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => trainers.TorchCnnEnsemble(epochs)).Message);
    }

    [Fact]
    public void MembersWithDifferentClassesCannotBeCombined()
    {
        var ml = new MLContext(seed: 1);
        var firstKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(_f.Train); // first-appearance order: 5, 0, 4, ...
        using var a = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 200 })
            .Fit(firstKeys.Transform(ml.Data.TakeRows(_f.Train, 400)));
        var byValue = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(_f.Train);
        using var b = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 200 })
            .Fit(byValue.Transform(ml.Data.TakeRows(_f.Train, 400)));
        var error = Assert.Throws<ArgumentException>(() => new TorchCnnEnsembleTransformer(new[] { a, b }));
        Assert.Contains("same classes in the same key order", error.Message);
    }

    private List<float[]> Images() => _f.Test.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();

    private List<ScoredRow> Rows(IDataView scored) => _f.Ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();

    private static IEnumerable<string> OnnxEntries(string zipPath)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(zipPath);
        return zip.Entries.Where(e => e.Name == "OnnxModel").Select(e => e.FullName).ToList();
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }

    public sealed class ImageRow
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    public sealed class ScoredRow
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
