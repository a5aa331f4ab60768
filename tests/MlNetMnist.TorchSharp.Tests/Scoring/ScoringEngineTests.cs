using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Scoring;

/// <summary>
/// One calibrated fast CNN (2,000 MNIST training images, a fifth held out) scoring in process with
/// ONNX Runtime (the default on the CPU), compared with its own network scored by TorchSharp: the same
/// weights through both engines. (Training twice to compare would assume bit-identical runs, which
/// LibTorch's process-wide thread count, changed by other test classes running alongside, does not give.)
/// </summary>
public sealed class ScoringEngineFixture : IDisposable
{
    public ScoringEngineFixture()
    {
        Ml = new MLContext(seed: 1);
        var train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 2000);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 600);
        Model = Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 64, Seed = 3, ValidationFraction = 0.2 })
            .Fit(Ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train));
    }

    public MLContext Ml { get; }

    public IDataView Test { get; }

    public TorchCnnTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}

public sealed class ScoringEngineTests(ScoringEngineFixture fixture, ITestOutputHelper log) : IClassFixture<ScoringEngineFixture>
{
    private readonly ScoringEngineFixture _f = fixture;

    [Fact]
    public void OnTheCpuTheDefaultEngineIsOnnxRuntimeAndAChosenEngineIsKept()
    {
        Assert.Equal(TorchCnnScoringEngine.Auto, _f.Model.Options.ScoringEngine);
        Assert.Equal(TorchCnnScoringEngine.OnnxRuntime, _f.Model.ScoringEngine);
        Assert.NotNull(_f.Model.Calibration.OutOfDistribution);

        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(60, 1, 8, 8, 2);
        var raw = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 64));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        using var torch = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions
        {
            Network = MlNetMnist.Networks.NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 20, ScoringEngine = TorchCnnScoringEngine.TorchSharp,
        }).Fit(data);
        Assert.Equal(TorchCnnScoringEngine.TorchSharp, torch.ScoringEngine);
        // The TorchSharp engine is the network scorer itself.
        var expected = new float[2];
        torch.Scorer.Score(pixels[0], 1, expected);
        Assert.Equal(expected, torch.Predict(pixels[0]));
    }

    [Fact]
    public void BothEnginesGiveTheSameProbabilitiesAndOutOfDistributionValuesBatchedAndRowByRow()
    {
        var onnx = _f.Ml.Data.CreateEnumerable<Output>(_f.Model.Transform(_f.Test), reuseRowObject: false).ToList();
        var images = _f.Ml.Data.CreateEnumerable<Input>(_f.Test, reuseRowObject: false).ToList();
        Assert.Equal(600, onnx.Count);
        int classes = _f.Model.ClassNames.Count, oodSize = _f.Model.Scorer.OutOfDistributionSize;
        Assert.True(oodSize > 1, "the calibrated model has an out-of-distribution output");

        var input = images.SelectMany(i => i.Features).ToArray();
        var probabilities = new float[images.Count * classes];
        var ood = new float[images.Count * oodSize];
        _f.Model.Scorer.Score(input, images.Count, probabilities, ood); // TorchSharp, same weights
        double maxScore = 0, maxOod = 0;
        for (int i = 0; i < onnx.Count; i++)
        {
            maxScore = Math.Max(maxScore, MaxDifference(onnx[i].Score, probabilities.AsSpan(i * classes, classes)));
            maxOod = Math.Max(maxOod, MaxDifference(onnx[i].OutOfDistributionScore, ood.AsSpan(i * oodSize, oodSize)));
        }
        log.WriteLine($"600 test images: max |probability difference| {maxScore:G3}, max |out-of-distribution difference| {maxOod:G3}");
        Assert.InRange(maxScore, 0, 1e-4);
        Assert.InRange(maxOod, 0, 1e-4);

        using var engine = _f.Ml.Model.CreatePredictionEngine<Input, Output>(_f.Model, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < 20; i++)
        {
            Assert.InRange(MaxDifference(engine.Predict(images[i]).Score, onnx[i].Score), 0, 1e-5);
            Assert.InRange(MaxDifference(_f.Model.Predict(images[i].Features), probabilities.AsSpan(i * classes, classes)), 0, 1e-4);
        }
    }

    private static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private sealed class Input
    {
        [VectorType(784)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];

        public float[] OutOfDistributionScore { get; set; } = [];
    }
}
