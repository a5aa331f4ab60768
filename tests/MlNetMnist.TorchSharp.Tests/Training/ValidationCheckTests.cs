using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Training;

/// <remarks>
/// In the serial reliability collection: the bit-identity check needs TorchSharp's global random
/// generator to itself (other tests seed it and draw from it while they build networks).
/// </remarks>
[Collection(ReliabilityCollection.Name)]
public class ValidationCheckTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [Fact]
    public void ChecksEveryNBatchesAreRecordedAndLeaveTrainingBitIdentical()
    {
        var raw = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 320);
        var data = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        // 240 training rows in batches of 32: 8 batches per epoch (the last one partial).
        TorchCnnOptions Options(int? every) => new()
        {
            Epochs = 2, BatchSize = 32, ValidationFraction = 0.25, ValidationEveryBatches = every, Threads = 2, Seed = 1,
            Augmentation = new BatchAugmentation(), Network = NetworkArchitecture.WideCnn,
        };

        using var plain = Ml.MulticlassClassification.Trainers.TorchCnn(Options(null)).Fit(data);
        using var checkedModel = Ml.MulticlassClassification.Trainers.TorchCnn(Options(3)).Fit(data);

        Assert.Empty(plain.History.Checks);
        var checks = checkedModel.History.Checks;
        Assert.Equal([(1, 3L), (1, 6L), (2, 3L), (2, 6L)], checks.Select(c => (c.Epoch, c.Batch)));
        Assert.All(checks, c => Assert.InRange(c.ValidationAccuracy, 0, 1));
        Assert.True(checks[0].TrainingTime > TimeSpan.Zero);
        Assert.True(checks.Zip(checks.Skip(1), (a, b) => a.TrainingTime < b.TrainingTime).All(x => x), "check times do not increase");
        Assert.True(checks[1].TrainingTime < checkedModel.History.Epochs[0].TrainingTime);
        // Validation in the middle of epochs touches neither the random state nor the batch-norm statistics.
        Probes.AssertBitIdentical(plain.Weights, checkedModel.Weights);
        Assert.Equal(plain.History.Epochs.Select(e => e.ValidationAccuracy), checkedModel.History.Epochs.Select(e => e.ValidationAccuracy));
    }

    [Fact]
    public void TimeToReachAnAccuracyIsTheEarliestCheckOrEpochThatReachedIt()
    {
        var history = new TrainingHistory();
        history.Add(new ValidationCheck(1, 100, TimeSpan.FromSeconds(3), 0.1, 0.95));
        history.Add(Epoch(1, TimeSpan.FromSeconds(5), 0.97));
        history.Add(new ValidationCheck(2, 100, TimeSpan.FromSeconds(8), 0.1, 0.991));
        history.Add(Epoch(2, TimeSpan.FromSeconds(10), 0.993));

        Assert.Equal((1, TimeSpan.FromSeconds(5)), history.FirstReaching(0.96));
        Assert.Equal((2, TimeSpan.FromSeconds(8)), history.FirstReaching(0.99));
        Assert.Equal((2, TimeSpan.FromSeconds(10)), history.FirstReaching(0.992));
        Assert.Null(history.FirstReaching(0.999));
    }

    [Fact]
    public void ZeroBatchesBetweenChecksIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { ValidationEveryBatches = 0 }));
        Assert.Contains(nameof(TorchCnnOptions.ValidationEveryBatches), e.Message);
    }

    private static TrainingProgress Epoch(int epoch, TimeSpan trainingTime, double accuracy) =>
        new(epoch, 2, 0.1, 0.9, 0.1, accuracy, 0.01, trainingTime, trainingTime, 1000, trainingTime);
}
