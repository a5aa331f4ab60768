using Microsoft.ML;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Reliability;

/// <summary>On the CPU, the same seed, options, data and thread count give the same weights and metrics, bit for bit.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DeterminismTests(ReliabilityModelFixture fixture, ITestOutputHelper log)
{
    private readonly ReliabilityModelFixture _f = fixture;

    private TorchCnnTransformer Fit(TorchCnnOptions options, IDataView data) => new TorchCnnTrainer(_f.Ml, options).Fit(data);

    [Fact]
    public void TwoRunsWithTheSameSeedGiveBitIdenticalWeightsHistoryAndMetrics()
    {
        var data = _f.KeyedTrain(1000);
        TorchCnnOptions Options() => new() { Epochs = 2, BatchSize = 100, ValidationFraction = 0.2, Augmentation = new BatchAugmentation(), Threads = 2, Seed = 1 };
        using var a = Fit(Options(), data);
        using var b = Fit(Options(), data);

        Probes.AssertBitIdentical(a.Weights, b.Weights);
        CheckpointTests.AssertSameHistory(a.History, b.History);
        var m1 = _f.Ml.MulticlassClassification.Evaluate(a.Transform(_f.Test));
        var m2 = _f.Ml.MulticlassClassification.Evaluate(b.Transform(_f.Test));
        Assert.Equal((m1.MicroAccuracy, m1.MacroAccuracy, m1.LogLoss, m1.LogLossReduction), (m2.MicroAccuracy, m2.MacroAccuracy, m2.LogLoss, m2.LogLossReduction));
        log.WriteLine($"run 1 and run 2: micro accuracy {m1.MicroAccuracy:P2}, log loss {m1.LogLoss:R}, final training loss {a.History.Epochs[^1].TrainLoss:R}");

        // A different seed does change the result (the test would be vacuous otherwise).
        var other = Options();
        other.Seed = 2;
        using var c = Fit(other, data);
        Assert.NotEqual(a.History.Epochs[^1].TrainLoss, c.History.Epochs[^1].TrainLoss);
    }

    [Fact]
    public void TrainingsRunningAtTheSameTimeInOneProcessAreEachReproducible()
    {
        // The classic CNN has dropout, which draws from TorchSharp's process-wide generator: each run
        // keeps its own stream of it, so two concurrent runs give what each gives alone.
        var data = _f.KeyedTrain(300);
        TorchCnnOptions Options(int seed) => new() { Network = NetworkArchitecture.ClassicCnn, Epochs = 1, BatchSize = 50, Seed = seed, Threads = 1 };
        using var alone1 = Fit(Options(1), data);
        using var alone2 = Fit(Options(2), data);

        var results = new TorchCnnTransformer[2];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => results[i] = Fit(Options(i + 1), data));
        using (results[0])
        using (results[1])
        {
            Probes.AssertBitIdentical(alone1.Weights, results[0].Weights);
            Probes.AssertBitIdentical(alone2.Weights, results[1].Weights);
        }
    }
}
