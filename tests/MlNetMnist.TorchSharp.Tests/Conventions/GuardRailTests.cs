using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Conventions;

/// <summary>
/// Silent garbage refused: non-finite and absurd options, training that diverges, pixels outside the
/// range the network expects, no rows, and a wrong column type inside a pipeline.
/// </summary>
public sealed class GuardRailTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> BadOptions => new()
    {
        { "NormalizationMean = NaN", "TorchCnnOptions.NormalizationMean is NaN; expected a finite number in [0, 1]" },
        { "NormalizationStd = +Inf", "TorchCnnOptions.NormalizationStd is Infinity; expected a finite number in (0, 1]" },
        { "NormalizationStd = 0", "TorchCnnOptions.NormalizationStd is 0; expected a finite number in (0, 1]" },
        { "NormalizationMean alone", "TorchCnnOptions.NormalizationMean and NormalizationStd go together" },
        { "LearningRate = 1e6", "TorchCnnOptions.LearningRate is 1000000; expected a positive number no larger than 10" },
        { "LearningRate = NaN", "TorchCnnOptions.LearningRate is NaN; expected a positive number no larger than 10" },
        { "WeightDecay = +Inf", "TorchCnnOptions.WeightDecay is Infinity; expected in [0, 1)" },
        { "LabelSmoothing = NaN", "TorchCnnOptions.LabelSmoothing is NaN; expected in [0, 1)" },
        { "ValidationFraction = NaN", "TorchCnnOptions.ValidationFraction is NaN; expected in [0, 1)" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void NonFiniteOrAbsurdOptionsAreRefusedNamingTheOption(string name, string expected)
    {
        var o = new TorchCnnOptions();
        switch (name)
        {
            case "NormalizationMean = NaN": (o.NormalizationMean, o.NormalizationStd) = (float.NaN, 0.3f); break;
            case "NormalizationStd = +Inf": (o.NormalizationMean, o.NormalizationStd) = (0.1f, float.PositiveInfinity); break;
            case "NormalizationStd = 0": (o.NormalizationMean, o.NormalizationStd) = (0.1f, 0f); break;
            case "NormalizationMean alone": o.NormalizationMean = 0.1f; break;
            case "LearningRate = 1e6": o.LearningRate = 1e6; break;
            case "LearningRate = NaN": o.LearningRate = double.NaN; break;
            case "WeightDecay = +Inf": o.WeightDecay = double.PositiveInfinity; break;
            case "LabelSmoothing = NaN": o.LabelSmoothing = double.NaN; break;
            case "ValidationFraction = NaN": o.ValidationFraction = double.NaN; break;
        }
        var e = Assert.ThrowsAny<ArgumentException>(() => new MLContext().MulticlassClassification.Trainers.TorchCnn(o));
        output.WriteLine(e.Message);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> DivergingRuns => new() { "SGD at learning rate 10", "fixed normalisation far from the data" };

    [Theory]
    [MemberData(nameof(DivergingRuns))]
    public void TrainingThatDivergesStopsWithAnErrorNamingTheLikelyOption(string name)
    {
        var ml = new MLContext(seed: 1);
        var raw = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 512);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var options = new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 3, BatchSize = 64, Threads = 2 };
        if (name.StartsWith("SGD", StringComparison.Ordinal))
            (options.Optimizer, options.LearningRate, options.Schedule) = (OptimizerKind.Sgd, 10, LearningRateSchedule.Constant);
        else
            (options.NormalizationMean, options.NormalizationStd) = (0.5f, 1e-6f);
        int epochsReported = 0;
        options.Progress = _ => epochsReported++;

        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(data));

        output.WriteLine($"{name}: {e.Message} (after {epochsReported} epoch reports)");
        Assert.StartsWith("Training diverged: the loss ", e.Message, StringComparison.Ordinal);
        Assert.Contains("no model is returned", e.Message, StringComparison.Ordinal);
        if (options.NormalizationStd is null)
        {
            Assert.Contains("The likely cause is TorchCnnOptions.LearningRate = 10 being too large for the Sgd optimiser", e.Message, StringComparison.Ordinal);
        }
        else
        {
            // The very first batch: no update has been made, so the message blames the normalisation, not the learning rate.
            Assert.Contains("at epoch 1, batch 1", e.Message, StringComparison.Ordinal);
            Assert.Contains("the likely cause is TorchCnnOptions.NormalizationMean = 0.5 and NormalizationStd = 1E-06 not matching the pixel values", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PixelsAlreadyScaledTo01GiveAWarningNamingTheColumnAndTheRangeInTheLogTheProgressAndTheHistory()
    {
        // MNIST through NormalizeMinMax, then the classic preset (fixed mean and standard deviation for raw 0-255).
        var ml = new MLContext(seed: 1);
        var warnings = new ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning && e.Source.StartsWith("TorchCnn", StringComparison.Ordinal)) warnings.Enqueue(e.RawMessage); };
        var raw = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 256);
        var options = TorchCnnPresets.Classic();
        (options.Epochs, options.Threads) = (1, 2);
        var progress = new List<TrainingProgress>();
        options.Progress = progress.Add;
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(options));

        using var model = (TorchCnnTransformer)pipeline.Fit(raw).LastTransformer;

        foreach (string w in model.History.Warnings) output.WriteLine(w);
        string warning = model.History.Warnings[0];
        Assert.StartsWith("Column 'Features' holds values from 0 to 1; TorchCnn expects raw pixel values 0-255", warning, StringComparison.Ordinal);
        Assert.Contains("the fixed normalisation (NormalizationMean 0.1307, NormalizationStd 0.3081, as in the classic preset) assumes them", warning, StringComparison.Ordinal);
        Assert.Contains("NormalizeMinMax", warning, StringComparison.Ordinal);
        // And, as it says, the one epoch does not learn: the end-of-training check says so too, in the same three places.
        Assert.Equal(2, model.History.Warnings.Count);
        Assert.StartsWith("The network has not learnt: after 1 epoch (4 optimiser steps of 64 rows)", model.History.Warnings[1], StringComparison.Ordinal);
        Assert.Equal(model.History.Warnings, warnings);
        Assert.Equal(model.History.Warnings, progress[0].Warnings);

        // Raw pixels raise no warning (and 16 steps of 32 rows learn enough not to be at chance).
        using var clean = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 2, BatchSize = 32, Threads = 2 })
            .Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw));
        Assert.Empty(clean.History.Warnings);
    }

    [Fact]
    public void ARunThatEndsAtChanceWarnsInTheLogTheProgressAndTheHistory()
    {
        // MNIST images with labels drawn at random (independent of the images): nothing to learn, so the
        // last epoch ends at the level of guessing. 512 rows, batch 128: 4 optimiser steps per epoch.
        var ml = new MLContext(seed: 1);
        var warnings = new ConcurrentQueue<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning && e.Source.StartsWith("TorchCnn", StringComparison.Ordinal)) warnings.Enqueue(e.RawMessage); };
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train, maxRows: 512);
        var random = new Random(5);
        var data = new InMemoryImageDataView(set.Pixels, set.ImageSize, set.Labels.Select(_ => (uint)random.Next(10)).ToArray());
        var progress = new List<TrainingProgress>();
        var options = new TorchCnnOptions { Epochs = 2, Threads = 2, Progress = progress.Add };

        using var model = (TorchCnnTransformer)ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(options)).Fit(data).LastTransformer;

        string warning = Assert.Single(model.History.Warnings);
        output.WriteLine(warning);
        Assert.StartsWith("The network has not learnt: after 2 epochs (8 optimiser steps of 128 rows) the training loss ", warning, StringComparison.Ordinal);
        Assert.Contains("(ln 10 = 2.3)", warning, StringComparison.Ordinal);
        Assert.Contains("raise TorchCnnOptions.Epochs (to about 125, for some 500 steps)", warning, StringComparison.Ordinal);
        Assert.Equal([warning], warnings);
        Assert.Empty(progress[0].Warnings);
        Assert.Equal([warning], progress[1].Warnings); // with the last epoch's report
    }

    [Fact]
    public void ZeroRowsSayNoRowsAlsoThroughAPipeline()
    {
        var ml = new MLContext(seed: 1);
        var empty = new InMemoryImageDataView([], 784, []);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TorchCnn());

        var e = Assert.ThrowsAny<Exception>(() => pipeline.Fit(empty));

        output.WriteLine($"{e.GetType().Name}: {e.Message}");
        Assert.Contains("no rows", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("classes", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> WrongColumnsInAPipeline => new()
    {
        { "features converted to Double", "Feature column 'Features' has type Vector<Double>; TorchCnn expects a known-size vector of Single: raw pixel values 0-255" },
        { "label not mapped to a key", "Label column 'Label' has type UInt32; expected a key type. Map it with mlContext.Transforms.Conversion.MapValueToKey(\"Label\") first." },
        { "no such feature column", "The input has no feature column 'Pixels' (TorchCnnOptions.FeatureColumnName); it has: Label, Features." },
    };

    [Theory]
    [MemberData(nameof(WrongColumnsInAPipeline))]
    public void AWrongColumnInsideAPipelineGetsTorchCnnsMessageNotAnotherTrainers(string name, string expected)
    {
        var ml = new MLContext(seed: 1);
        var raw = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 64);
        IEstimator<ITransformer> pipeline = name switch
        {
            "features converted to Double" => ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double)
                .Append(ml.Transforms.Conversion.MapValueToKey("Label")).Append(ml.MulticlassClassification.Trainers.TorchCnn()),
            "label not mapped to a key" => ml.Transforms.CopyColumns("Features2", "Features").Append(ml.MulticlassClassification.Trainers.TorchCnn()),
            _ => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TorchCnn(featureColumnName: "Pixels")),
        };

        var e = Assert.ThrowsAny<ArgumentException>(() => pipeline.Fit(raw));

        output.WriteLine(e.Message);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
