using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Training;
using TorchSharp;

namespace MlNetMnist.Tests.Training;

public class PresetAndStoppingTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IDataView Keyed(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

    private static IDataView SmallTrain(int rows) => Keyed(MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: rows));

    [Theory]
    [InlineData("fast")]
    [InlineData("accurate")]
    [InlineData("classic")]
    [InlineData("mlp")]
    [InlineData("robust")]
    public void EveryPresetTrainsOnASmallSubsetAndScores(string preset)
    {
        var options = TorchCnnPresets.Get(preset);
        options.Epochs = 1;
        var progress = new List<TrainingProgress>();
        options.Progress = progress.Add;
        var data = SmallTrain(512);
        using var model = Ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(data);

        Assert.Single(progress);
        Assert.True(double.IsFinite(progress[0].TrainLoss));
        var scores = Ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).Take(20).ToList();
        Assert.All(scores, s => Assert.Equal(1.0, s.Score.Sum(), 4));
    }

    [Fact]
    public void UnknownPresetNamesTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchCnnPresets.Get("turbo"));
        Assert.Contains("turbo", error.Message);
        Assert.Contains("fast, accurate, classic, mlp, robust", error.Message);
    }

    [Fact]
    public void ClassicPresetIsThePyTorchExampleRecipe()
    {
        var o = TorchCnnPresets.Classic();
        Assert.Equal(OptimizerKind.Adadelta, o.Optimizer);
        Assert.Equal(1.0, o.LearningRate);
        Assert.Equal(LearningRateSchedule.Step, o.Schedule);
        Assert.Equal(0.7, o.StepGamma);
        Assert.Equal(64, o.BatchSize);
    }

    [Fact]
    public void EarlyStoppingStopsWhenValidationAccuracyStopsImprovingAndKeepsTheBestEpoch()
    {
        // A learning rate this small cannot improve validation accuracy by 50 points per epoch,
        // so with MinDelta 0.5 the first epoch is the best and training stops after Patience more.
        var options = new TorchCnnOptions
        {
            Epochs = 10, LearningRate = 1e-4, BatchSize = 64, ValidationFraction = 0.25,
            EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 0.5, Schedule = LearningRateSchedule.Constant,
        };
        using var model = Ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(SmallTrain(800));

        Assert.Equal(3, model.History.Epochs.Count);
        Assert.Equal(1, model.History.SelectedEpoch);
        Assert.StartsWith("early stopping at epoch 3", model.History.StopReason);
    }

    [Fact]
    public void TargetValidationAccuracyStopsAsSoonAsItIsReached()
    {
        var options = new TorchCnnOptions { Epochs = 10, BatchSize = 64, ValidationFraction = 0.25, TargetValidationAccuracy = 0.5 };
        using var model = Ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(SmallTrain(1000));

        var epochs = model.History.Epochs;
        Assert.True(epochs.Count < 10, $"trained all {epochs.Count} epochs");
        Assert.True(epochs[^1].ValidationAccuracy >= 0.5);
        Assert.All(epochs.Take(epochs.Count - 1), e => Assert.True(e.ValidationAccuracy < 0.5));
        Assert.Contains("reached the target", model.History.StopReason);
    }

    [Fact]
    public void StoppingOptionsWithoutValidationDataAreRefused()
    {
        var options = new TorchCnnOptions { Epochs = 1, EarlyStoppingPatience = 1 };
        var error = Assert.Throws<ArgumentException>(() => Ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(SmallTrain(300)));
        Assert.Contains("ValidationFraction", error.Message);
    }

    [Fact]
    public void ExplicitValidationDataIsReportedEveryEpoch()
    {
        var train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 600);
        var test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 300);
        var keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var trainer = Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 2, BatchSize = 64 });
        using var model = trainer.Fit(keys.Transform(train), keys.Transform(test));
        Assert.All(model.History.Epochs, e => Assert.NotNull(e.ValidationAccuracy));
        Assert.All(model.History.Epochs, e => Assert.True(e.TrainingTime <= e.TotalTime));
    }

    [Fact]
    public void AugmentationKeepsShapeMovesPixelsAndIsReproducible()
    {
        using var scope = torch.NewDisposeScope();
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 8);
        var x = torch.tensor(set.Pixels.Select(b => (float)b).ToArray(), new long[] { 8, 784 });
        var augmentation = new BatchAugmentation(MaxRotationDegrees: 15, MaxScale: 0.1, MaxShiftPixels: 2);
        var a = augmentation.Apply(x, 1, 28, 28, new torch.Generator(7));
        var b = augmentation.Apply(x, 1, 28, 28, new torch.Generator(7));

        Assert.Equal(x.shape, a.shape);
        Assert.Equal(0f, (a - b).abs().max().ToSingle());
        Assert.True((a - x).abs().mean().ToSingle() > 1, "augmentation changed nothing");
        Assert.InRange(a.min().ToSingle(), -0.01f, 255.01f);
        Assert.InRange(a.max().ToSingle(), -0.01f, 255.01f);
        // Ink is roughly preserved (bilinear sampling, small scale changes).
        float ratio = a.sum().ToSingle() / x.sum().ToSingle();
        Assert.InRange(ratio, 0.7f, 1.3f);
    }

    [Fact]
    public void RobustPresetIsTheWideNetworkWithStrokeAndRotationAugmentationAndNoLabelSmoothing()
    {
        var robust = TorchCnnPresets.Get("Robust");
        var fast = TorchCnnPresets.Fast();
        var accurate = TorchCnnPresets.Accurate();
        Assert.Equal(accurate.Network, robust.Network);
        Assert.Equal(accurate.LearningRate, robust.LearningRate);
        Assert.Equal(fast.Schedule, robust.Schedule);
        Assert.Equal(0, robust.LabelSmoothing); // a sure digit keeps a probability near 1 (confidence thresholds, the number reader)
        Assert.Equal(8, robust.Epochs);
        var augmentation = Assert.IsType<BatchAugmentation>(robust.Augmentation);
        Assert.True(augmentation.MaxStrokeChangePixels > 0);
        Assert.True(augmentation.MaxRotationDegrees >= 20);
        robust.Validate();
        // The default preset is untouched: no augmentation.
        Assert.Null(fast.Augmentation);
    }

    [Fact]
    public void StrokeAugmentationOutOfRangeIsRejectedByValidate()
    {
        var options = new TorchCnnOptions { Augmentation = new BatchAugmentation(MaxStrokeChangePixels: 2.5) };
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains("MaxStrokeChangePixels", error.Message);
        options.Augmentation = new BatchAugmentation(MaxSaltAndPepperFraction: -0.1);
        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
