using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Conventions;

/// <summary>
/// The trainer as ML.NET's own trainers are: an ITrainerEstimator with a TrainerInfo, a transformer that
/// is an ISingleFeaturePredictionTransformer, taken by CrossValidate and PermutationFeatureImportance;
/// training writes to the caller's MLContext log, and an unset seed comes from the context.
/// </summary>
/// <remarks>
/// In the serial reliability collection: the seed test compares trainings bit for bit, and network
/// initialisation draws from TorchSharp's global generator, which tests running in parallel also seed
/// and draw from (it failed once that way in a full run).
/// </remarks>
[Collection(ReliabilityCollection.Name)]
public sealed class MlNetCitizenshipTests(ITestOutputHelper output)
{
    private static TorchCnnOptions SmallMlp(int epochs = 2) => new() { Network = NetworkArchitecture.Mlp, Epochs = epochs, BatchSize = 32, Threads = 2, LearningRate = 0.01, Optimizer = OptimizerKind.Adam };

    private static IDataView Images(MLContext ml, int count, int channels, int height, int width, int classes, int seed = 1)
    {
        var (pixels, labels) = SyntheticImages.Create(count, channels, height, width, classes, seed);
        return SyntheticImages.ToDataView(ml, pixels, labels, new VectorDataViewType(NumberDataViewType.Single, channels * height * width));
    }

    [Fact]
    public void TheTrainerIsAnITrainerEstimatorAndItsModelAnISingleFeaturePredictionTransformer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Images(ml, 96, 1, 8, 8, 2)).Transform(Images(ml, 96, 1, 8, 8, 2));
        var trainer = ml.MulticlassClassification.Trainers.TorchCnn(SmallMlp(1));

        ITrainerEstimator<ISingleFeaturePredictionTransformer<TorchCnnModelParameters>, TorchCnnModelParameters> generic = trainer;
        Assert.False(generic.Info.NeedNormalization); // raw pixels: normalisation is the network's first layer
        Assert.False(generic.Info.WantCaching);      // the data is read once into memory

        using var model = trainer.Fit(data);
        ISingleFeaturePredictionTransformer<TorchCnnModelParameters> prediction = model;
        Assert.Equal("Features", prediction.FeatureColumnName);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 64), prediction.FeatureColumnType);
        Assert.Equal(new ImageShape(1, 8, 8), prediction.Model.InputShape);
        Assert.Equal(["0", "1"], prediction.Model.ClassNames);
        Assert.Equal("mlp", prediction.Model.Network.Name);
        Assert.NotEmpty(prediction.Model.Weights.Names);
        output.WriteLine($"Model: {prediction.Model}");
    }

    [Fact]
    public void CrossValidateTrainsAndEvaluatesEveryFold()
    {
        var ml = new MLContext(seed: 1);
        var data = Images(ml, 240, 1, 8, 8, 3);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TorchCnn(SmallMlp()));

        var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3);

        Assert.Equal(3, folds.Count);
        foreach (var fold in folds)
        {
            output.WriteLine($"fold {fold.Fold}: micro accuracy {fold.Metrics.MicroAccuracy:P1}, log loss {fold.Metrics.LogLoss:F3}");
            Assert.True(fold.Metrics.MicroAccuracy > 0.9, $"fold {fold.Fold}: {fold.Metrics.MicroAccuracy:P1}");
            Assert.Equal(3, fold.Metrics.ConfusionMatrix.NumberOfClasses);
            Assert.Contains(TransformerChains.Flatten(fold.Model), t => t is TorchCnnTransformer);
            foreach (var disposable in TransformerChains.Flatten(fold.Model).OfType<IDisposable>()) disposable.Dispose();
        }
    }

    [Fact]
    public void PermutationFeatureImportanceFindsThePixelThatDecidesTheClass()
    {
        // 8x8 images of noise; the class is decided by pixel 27 alone (bright: class 1).
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        const int Decisive = 27;
        var rows = Enumerable.Range(0, 300).Select(n =>
        {
            var pixels = Enumerable.Range(0, 64).Select(_ => (float)random.Next(0, 256)).ToArray();
            uint label = (uint)(n % 2);
            pixels[Decisive] = label == 1 ? random.Next(200, 256) : random.Next(0, 56);
            return (pixels, label);
        }).ToArray();
        var raw = SyntheticImages.ToDataView(ml, rows.Select(r => r.pixels).ToArray(), rows.Select(r => r.label).ToArray(), new VectorDataViewType(NumberDataViewType.Single, 8, 8));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(SmallMlp(epochs: 8)).Fit(data);

        var importance = ml.MulticlassClassification.PermutationFeatureImportance(model, data, permutationCount: 1);

        Assert.Equal(64, importance.Length);
        var drops = importance.Select(m => m.MicroAccuracy.Mean).ToArray();
        int most = Array.IndexOf(drops, drops.Min());
        output.WriteLine($"micro-accuracy change when permuting pixel {Decisive}: {drops[Decisive]:F3}; largest change among the others: {drops.Where((_, i) => i != Decisive).Min():F3}");
        Assert.Equal(Decisive, most);
        Assert.True(drops[Decisive] < -0.2, $"permuting the decisive pixel changed micro accuracy by only {drops[Decisive]:F3}");
    }

    [Fact]
    public void TrainingWritesItsSettingsEpochsAndWarningsToTheCallersMLContextLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new ConcurrentQueue<LoggingEventArgs>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("TorchCnn", StringComparison.Ordinal)) messages.Enqueue(e); };
        var raw = Images(ml, 64, 1, 8, 8, 2);
        var progress = new List<TrainingProgress>();
        var options = SmallMlp();
        options.Progress = progress.Add;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TorchCnn(options));

        using var model = (IDisposable)pipeline.Fit(raw).LastTransformer;

        var lines = messages.Select(m => $"[{m.Kind}] {m.Source}: {m.RawMessage}").ToArray();
        foreach (string line in lines) output.WriteLine(line);
        Assert.Contains(messages, m => m.Kind == ChannelMessageKind.Info && m.RawMessage.Contains("network Mlp, input 1x8x8 (inferred from the vector size) from column 'Features', 2 classes from 'Label'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.RawMessage.Contains("(from the MLContext)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.RawMessage.StartsWith("epoch 1/2  loss ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.RawMessage.StartsWith("epoch 2/2  loss ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.RawMessage.StartsWith("Training ended: completed all epochs", StringComparison.Ordinal));
        Assert.Equal([1, 2], progress.Select(p => p.Epoch)); // the Progress callback still gets every epoch
    }

    [Fact]
    public void AnUnsetSeedComesFromTheContextAndAnExplicitSeedWins()
    {
        var data = Images(new MLContext(), 96, 1, 8, 8, 2);
        (int Seed, NetworkWeights Weights) Train(int contextSeed, int? optionSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            var options = SmallMlp(1);
            options.Seed = optionSeed;
            var trainer = ml.MulticlassClassification.Trainers.TorchCnn(options);
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            using var model = trainer.Fit(keyed);
            return (trainer.Options.Seed!.Value, model.Weights);
        }

        var a = Train(contextSeed: 5, optionSeed: null);
        var b = Train(contextSeed: 5, optionSeed: null);
        var c = Train(contextSeed: 6, optionSeed: null);
        output.WriteLine($"seeds drawn: context 5 -> {a.Seed}, {b.Seed}; context 6 -> {c.Seed}");
        Assert.Equal(a.Seed, b.Seed);
        Probes.AssertBitIdentical(a.Weights, b.Weights);
        Assert.NotEqual(a.Seed, c.Seed);
        string first = a.Weights.Names.First(n => n.EndsWith("weight", StringComparison.Ordinal));
        Assert.NotEqual(a.Weights[first].Values, c.Weights[first].Values);

        var d = Train(contextSeed: 5, optionSeed: 42);
        var e = Train(contextSeed: 6, optionSeed: 42);
        Assert.Equal((42, 42), (d.Seed, e.Seed));
        Probes.AssertBitIdentical(d.Weights, e.Weights);
    }
}
