using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Training;

public class BatchProgressTests
{
    [Fact]
    public void BatchProgressCountsTheBatchesAndEndsEachEpochWithItsLossAndAccuracy()
    {
        var ml = new MLContext(seed: 1);
        var raw = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 600);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var batches = new List<BatchProgress>();
        var epochs = new List<TrainingProgress>();
        var options = new TorchCnnOptions
        {
            Epochs = 2, BatchSize = 100, Seed = 3,
            BatchProgress = batches.Add, BatchProgressInterval = TimeSpan.Zero, Progress = epochs.Add,
        };
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(data);

        // Interval 0: one report per batch, 6 batches of 100 per epoch, in order.
        Assert.Equal(12, batches.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(b => (long)b).Concat(Enumerable.Range(1, 6).Select(b => (long)b)), batches.Select(b => b.Batch));
        Assert.All(batches, b => Assert.Equal(6, b.Batches));
        Assert.All(batches, b => Assert.True(b.ImagesPerSecond > 0 && double.IsFinite(b.RunningLoss) && b.RunningAccuracy is >= 0 and <= 1, b.ToString()));
        foreach (int epoch in new[] { 1, 2 })
        {
            var last = batches.Last(b => b.Epoch == epoch);
            Assert.Equal(TimeSpan.Zero, last.Remaining);
            // The running figures after the last batch are the epoch's own.
            Assert.Equal(epochs[epoch - 1].TrainLoss, last.RunningLoss, 12);
            Assert.Equal(epochs[epoch - 1].TrainAccuracy, last.RunningAccuracy, 12);
        }
        Assert.Matches(@"^epoch 2/2  \[#{20}\]  6/6  [\d,]+ img/s  loss \d\.\d{4}  acc \d+\.\d\d %  ETA 0s$", batches[^1].ToString());
    }

    [Fact]
    public void ReportsAreThrottledToTheInterval()
    {
        var ml = new MLContext(seed: 1);
        var raw = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 600);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var batches = new List<BatchProgress>();
        var options = new TorchCnnOptions { Epochs = 1, BatchSize = 50, BatchProgress = batches.Add, BatchProgressInterval = TimeSpan.FromHours(1) };
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(data);

        // The first batch and the last one only.
        Assert.Equal(new long[] { 1, 12 }, batches.Select(b => b.Batch));
    }

    [Fact]
    public void ANegativeIntervalIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TorchCnnOptions { BatchProgressInterval = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Contains("TorchCnnOptions.BatchProgressInterval", e.Message);
    }
}
