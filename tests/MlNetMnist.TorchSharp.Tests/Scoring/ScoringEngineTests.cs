using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Scoring;

/// <summary>
/// The same network (same seed, data and threads, so the same weights bit for bit) trained twice, once
/// scoring in process with ONNX Runtime (the default on the CPU) and once with TorchSharp: both engines
/// give the same probabilities and out-of-distribution values, batched and row by row.
/// </summary>
public sealed class ScoringEngineFixture : IDisposable
{
    public ScoringEngineFixture()
    {
        Ml = new MLContext(seed: 1);
        var train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 2000);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 600);
        Default = Fit(train, TorchCnnScoringEngine.Auto);
        TorchSharp = Fit(train, TorchCnnScoringEngine.TorchSharp);
    }

    public MLContext Ml { get; }

    public IDataView Test { get; }

    public TorchCnnTransformer Default { get; }

    public TorchCnnTransformer TorchSharp { get; }

    private TorchCnnTransformer Fit(IDataView train, TorchCnnScoringEngine engine) =>
        Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions
        {
            Epochs = 1, BatchSize = 64, Seed = 3, Threads = 1, ValidationFraction = 0.2, ScoringEngine = engine,
        }).Fit(Ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train));

    public void Dispose()
    {
        Default.Dispose();
        TorchSharp.Dispose();
    }
}

public sealed class ScoringEngineTests(ScoringEngineFixture fixture, ITestOutputHelper log) : IClassFixture<ScoringEngineFixture>
{
    private readonly ScoringEngineFixture _f = fixture;

    [Fact]
    public void OnTheCpuTheDefaultEngineIsOnnxRuntimeAndAChosenEngineIsKept()
    {
        Assert.Equal(TorchCnnScoringEngine.Auto, _f.Default.Options.ScoringEngine);
        Assert.Equal(TorchCnnScoringEngine.OnnxRuntime, _f.Default.ScoringEngine);
        Assert.Equal(TorchCnnScoringEngine.TorchSharp, _f.TorchSharp.ScoringEngine);
        // Same seed, data and threads: the two runs trained the same weights, so any difference below is the engines'.
        foreach (string name in _f.Default.Weights.Names)
            Assert.Equal(_f.TorchSharp.Weights[name].Values, _f.Default.Weights[name].Values);
        Assert.NotNull(_f.Default.Calibration.OutOfDistribution);
    }

    [Fact]
    public void BothEnginesGiveTheSameProbabilitiesAndOutOfDistributionValuesBatchedAndRowByRow()
    {
        var onnx = Read(_f.Default.Transform(_f.Test));
        var torch = Read(_f.TorchSharp.Transform(_f.Test));
        Assert.Equal(600, onnx.Count);
        double maxScore = 0, maxOod = 0;
        for (int i = 0; i < onnx.Count; i++)
        {
            maxScore = Math.Max(maxScore, MaxDifference(onnx[i].Score, torch[i].Score));
            maxOod = Math.Max(maxOod, MaxDifference(onnx[i].OutOfDistributionScore, torch[i].OutOfDistributionScore));
            Assert.Equal(torch[i].PredictedLabel, onnx[i].PredictedLabel);
        }
        log.WriteLine($"600 test images: max |probability difference| {maxScore:G3}, max |out-of-distribution difference| {maxOod:G3}");
        Assert.InRange(maxScore, 0, 1e-4);
        Assert.InRange(maxOod, 0, 1e-4);
        Assert.True(onnx[0].OutOfDistributionScore.Length > 1, "the calibrated model has an out-of-distribution output");

        var images = _f.Ml.Data.CreateEnumerable<Input>(_f.Test, reuseRowObject: false).Take(20).ToList();
        using var engine = _f.Ml.Model.CreatePredictionEngine<Input, Output>(_f.Default, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < images.Count; i++)
        {
            var single = engine.Predict(images[i]);
            Assert.InRange(MaxDifference(single.Score, onnx[i].Score), 0, 1e-5);
            Assert.InRange(MaxDifference(_f.Default.Predict(images[i].Features), torch[i].Score), 0, 1e-4);
        }
    }

    private List<Output> Read(IDataView scored) => _f.Ml.Data.CreateEnumerable<Output>(scored, reuseRowObject: false).ToList();

    private static double MaxDifference(float[] a, float[] b)
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

        public uint PredictedLabel { get; set; }

        public float[] OutOfDistributionScore { get; set; } = [];
    }
}
