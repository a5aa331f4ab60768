using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Reliability;

/// <summary>
/// Interrupted training: a run cancelled part-way writes a checkpoint, and resuming from it ends with
/// the weights of a run that was never interrupted, bit for bit.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly ReliabilityModelFixture _f;
    private readonly ITestOutputHelper _log;
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-checkpoint");

    public CheckpointTests(ReliabilityModelFixture fixture, ITestOutputHelper log)
    {
        _f = fixture;
        _log = log;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CheckpointPath => Path.Combine(_dir, "run.checkpoint");

    private TorchCnnTransformer Fit(TorchCnnOptions options, IDataView data, CancellationToken token = default) =>
        new TorchCnnTrainer(_f.Ml, options).Fit(data, token);

    [Fact]
    public void CancelledAfterEpochOneOfThreeAndResumedEndsWithTheSameWeightsBitForBit()
    {
        var data = _f.KeyedTrain(1200);
        TorchCnnOptions Options() => new() { Epochs = 3, BatchSize = 100, Threads = 2, Seed = 1 };

        using var reference = Fit(Options(), data);

        // The "kill after epoch 1": cancelled from the progress report of epoch 1, training stops at the
        // first batch of epoch 2 and writes the checkpoint.
        using var cancel = new CancellationTokenSource();
        var first = Options();
        first.CheckpointPath = CheckpointPath;
        first.Progress = p => { if (p.Epoch == 1) cancel.Cancel(); };
        var stop = Assert.Throws<TrainingInterruptedException>(() => Fit(first, data, cancel.Token));
        _log.WriteLine(stop.Message);
        Assert.Equal((2, 0L, 3, 12L), (stop.Epoch, stop.BatchesDone, stop.Epochs, stop.BatchesPerEpoch));
        Assert.Equal(CheckpointPath, stop.CheckpointPath);
        Assert.Equal($"Training was cancelled in epoch 2 of 3 after 0 of 12 batches; checkpoint written to {CheckpointPath} (train again with TorchCnnOptions.ResumeFromCheckpoint to continue).", stop.Message);
        Assert.Equal(new[] { "run.checkpoint" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName)); // no temporary file left

        var second = Options();
        second.CheckpointPath = CheckpointPath;
        second.ResumeFromCheckpoint = true;
        var resumedEpochs = new List<int>();
        second.Progress = p => resumedEpochs.Add(p.Epoch);
        using var resumed = Fit(second, data);

        Assert.Equal(new[] { 2, 3 }, resumedEpochs);
        Probes.AssertBitIdentical(reference.Weights, resumed.Weights);
        AssertSameHistory(reference.History, resumed.History);
        AssertSameScores(reference, resumed);

        // Resuming the checkpoint of the finished run gives the final model again, without training.
        var third = Options();
        third.CheckpointPath = CheckpointPath;
        third.ResumeFromCheckpoint = true;
        third.Progress = _ => Assert.Fail("a finished run trained again");
        using var again = Fit(third, data);
        Probes.AssertBitIdentical(reference.Weights, again.Weights);
        AssertSameHistory(reference.History, again.History);
    }

    public static TheoryData<string> MidEpochCases => new() { "classic-cnn dropout, adadelta, step schedule, augmentation", "mlp, sgd, constant rate, validation and early stopping", "fast-cnn, outlier exposure" };

    [Theory]
    [MemberData(nameof(MidEpochCases))]
    public void CancelledInTheMiddleOfAnEpochAndResumedEndsWithTheSameWeightsBitForBit(string name)
    {
        var data = _f.KeyedTrain(400);
        TorchCnnOptions Options() => name.StartsWith("fast", StringComparison.Ordinal)
            ? new() { Epochs = 3, BatchSize = 50, ValidationFraction = 0.2, OutlierExposure = new OutlierExposure(ImagesPerBatch: 8, PoolSize: 200, FontFiles: [MlNetMnist.Tests.Training.OutlierExposureUnitTests.DejaVu]), Threads = 2, Seed = 1 }
            : name.StartsWith("classic", StringComparison.Ordinal)
            ? new() { Network = NetworkArchitecture.ClassicCnn, Epochs = 3, BatchSize = 50, Optimizer = OptimizerKind.Adadelta, LearningRate = 1.0, Schedule = LearningRateSchedule.Step, StepGamma = 0.7, Augmentation = new BatchAugmentation(), Threads = 2, Seed = 1 }
            : new() { Network = NetworkArchitecture.Mlp, Epochs = 4, BatchSize = 50, Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Schedule = LearningRateSchedule.Constant, ValidationFraction = 0.2, EarlyStoppingPatience = 5, Threads = 2, Seed = 1 };

        using var reference = Fit(Options(), data);

        using var cancel = new CancellationTokenSource();
        var first = Options();
        first.CheckpointPath = CheckpointPath;
        first.AfterBatch = (epoch, batches) => { if (epoch == 2 && batches == 3) cancel.Cancel(); };
        var stop = Assert.Throws<TrainingInterruptedException>(() => Fit(first, data, cancel.Token));
        Assert.Equal((2, 3L), (stop.Epoch, stop.BatchesDone));

        var second = Options();
        second.CheckpointPath = CheckpointPath;
        second.ResumeFromCheckpoint = true;
        using var resumed = Fit(second, data);

        Probes.AssertBitIdentical(reference.Weights, resumed.Weights);
        AssertSameHistory(reference.History, resumed.History);
        _log.WriteLine($"{name}: {resumed.History.Epochs.Count} epochs, stop reason '{resumed.History.StopReason}', selected epoch {resumed.History.SelectedEpoch}");
    }

    [Fact]
    public void CancellationThroughTheOptionsStopsAPipelineFitAndTheRunResumesInsideThePipeline()
    {
        // EstimatorChain.Fit takes no token: TorchCnnOptions.Cancellation is the way in.
        var raw = _f.RawTrain(500);
        using var cancel = new CancellationTokenSource();
        TorchCnnOptions Options() => new() { Network = NetworkArchitecture.Mlp, Epochs = 2, BatchSize = 100, CheckpointPath = CheckpointPath, Threads = 2, Seed = 1 };
        var first = Options();
        first.Cancellation = cancel.Token;
        first.AfterBatch = (epoch, batches) => { if (epoch == 1 && batches == 2) cancel.Cancel(); };
        IEstimator<ITransformer> Pipeline(TorchCnnOptions o) => _f.Ml.Transforms.Conversion.MapValueToKey("Label").Append(_f.Ml.MulticlassClassification.Trainers.TorchCnn(o));

        var stop = Assert.Throws<TrainingInterruptedException>(() => Pipeline(first).Fit(raw));
        Assert.Equal((1, 2L), (stop.Epoch, stop.BatchesDone));
        Assert.True(File.Exists(CheckpointPath));

        var second = Options();
        second.ResumeFromCheckpoint = true;
        using var resumed = Classifier(Pipeline(second).Fit(raw));
        var plain = Options();
        plain.CheckpointPath = null;
        using var reference = Classifier(Pipeline(plain).Fit(raw));
        Probes.AssertBitIdentical(reference.Weights, resumed.Weights);
    }

    [Fact]
    public void WithoutACheckpointPathCancellationStillStopsAtTheNextBatchAndSaysNothingWasSaved()
    {
        using var cancel = new CancellationTokenSource();
        var options = new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 2, BatchSize = 100, Threads = 2, Seed = 1 };
        options.AfterBatch = (epoch, batches) => { if (batches == 1) cancel.Cancel(); };
        var stop = Assert.Throws<TrainingInterruptedException>(() => Fit(options, _f.KeyedTrain(300), cancel.Token));
        Assert.IsAssignableFrom<OperationCanceledException>(stop);
        Assert.Null(stop.CheckpointPath);
        Assert.Contains("no checkpoint was written (set TorchCnnOptions.CheckpointPath to keep the progress)", stop.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void ACheckpointIsWrittenAfterEveryEpochAndReplacedAtomically()
    {
        var seen = new List<(int Epoch, long Length)>();
        var options = new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 2, BatchSize = 100, CheckpointPath = CheckpointPath, Threads = 2, Seed = 1 };
        options.Progress = p => seen.Add((p.Epoch, File.Exists(CheckpointPath) ? new FileInfo(CheckpointPath).Length : -1));
        using var model = Fit(options, _f.KeyedTrain(300));
        // Progress of epoch 1 runs before epoch 1's checkpoint; by epoch 2's progress it exists.
        Assert.Equal(-1, seen[0].Length);
        Assert.True(seen[1].Length > 0);
        Assert.Equal(new[] { "run.checkpoint" }, Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
        using var zip = System.IO.Compression.ZipFile.OpenRead(CheckpointPath);
        Assert.Equal(new[] { "checkpoint.json", "model.bin", "optimizer.bin" }, zip.Entries.Select(e => e.FullName));
    }

    private static TorchCnnTransformer Classifier(ITransformer chain) => ((IEnumerable<ITransformer>)chain).OfType<TorchCnnTransformer>().Single();

    internal static void AssertSameHistory(TrainingHistory expected, TrainingHistory actual)
    {
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        for (int i = 0; i < expected.Epochs.Count; i++)
        {
            var (e, a) = (expected.Epochs[i], actual.Epochs[i]);
            Assert.Equal((e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy, e.LearningRate),
                (a.Epoch, a.TrainLoss, a.TrainAccuracy, a.ValidationLoss, a.ValidationAccuracy, a.LearningRate));
        }
        Assert.Equal(expected.StopReason, actual.StopReason);
        Assert.Equal(expected.SelectedEpoch, actual.SelectedEpoch);
    }

    private void AssertSameScores(TorchCnnTransformer expected, TorchCnnTransformer actual)
    {
        var a = expected.Transform(_f.Test).GetColumn<float[]>("Score").ToList();
        var b = actual.Transform(_f.Test).GetColumn<float[]>("Score").ToList();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i]);
        var m1 = _f.Ml.MulticlassClassification.Evaluate(expected.Transform(_f.Test));
        var m2 = _f.Ml.MulticlassClassification.Evaluate(actual.Transform(_f.Test));
        Assert.Equal((m1.MicroAccuracy, m1.MacroAccuracy, m1.LogLoss), (m2.MicroAccuracy, m2.MacroAccuracy, m2.LogLoss));
    }
}
