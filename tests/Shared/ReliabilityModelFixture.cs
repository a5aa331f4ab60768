using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// One small model for the reliability tests: the fast CNN trained for one epoch on the first 1,000
/// MNIST training images (labels keyed in order of first occurrence: 5, 0, 4, 1, 9, ...), also saved
/// as an ML.NET model file, plus 500 test images.
/// </summary>
public sealed class ReliabilityModelFixture : IDisposable
{
    public ReliabilityModelFixture()
    {
        Directory = TestData.NewTempDirectory("mlnetmnist-reliability");
        Ml = new MLContext(seed: 1);
        TrainSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train, maxRows: 3000);
        var raw = RawTrain(1000);
        KeyMapping = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw);
        Train = KeyMapping.Transform(raw);
        TestSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 500);
        RawTest = TestSet.ToDataView();
        Test = KeyMapping.Transform(RawTest);
        Model = Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 100 }).Fit(Train);
        ModelPath = Path.Combine(Directory, "model.zip");
        ModelFile.Save(Ml, Model, Train.Schema, ModelPath);
        TestImages = Ml.Data.CreateEnumerable<ImageRow>(RawTest, reuseRowObject: false).ToArray();
    }

    public string Directory { get; }

    public MLContext Ml { get; }

    public ITransformer KeyMapping { get; }

    /// <summary>The first 3,000 MNIST training images.</summary>
    public MnistSet TrainSet { get; }

    /// <summary>The first 500 MNIST test images.</summary>
    public MnistSet TestSet { get; }

    /// <summary>The images of <paramref name="set"/> whose label passes <paramref name="keep"/>, label not keyed.</summary>
    public static IDataView Where(MnistSet set, Func<byte, bool> keep)
    {
        var rows = Enumerable.Range(0, set.Count).Where(i => keep(set.Labels[i])).ToArray();
        var pixels = rows.SelectMany(i => set.Pixels.AsSpan(i * set.ImageSize, set.ImageSize).ToArray()).ToArray();
        return new InMemoryImageDataView(pixels, set.ImageSize, rows.Select(i => (uint)set.Labels[i]).ToArray());
    }

    /// <summary>The first <paramref name="rows"/> (at most 3,000) training images, label not keyed.</summary>
    public IDataView RawTrain(int rows) =>
        new InMemoryImageDataView(TrainSet.Pixels[..(rows * 784)], 784, TrainSet.Labels[..rows].Select(l => (uint)l).ToArray());

    /// <summary>The first <paramref name="rows"/> training images with the label keyed like <see cref="Train"/>.</summary>
    public IDataView KeyedTrain(int rows) => KeyMapping.Transform(RawTrain(rows));

    /// <summary>1,000 training rows with a keyed label.</summary>
    public IDataView Train { get; }

    /// <summary>500 test rows, label not keyed.</summary>
    public IDataView RawTest { get; }

    /// <summary>500 test rows with the training key mapping applied.</summary>
    public IDataView Test { get; }

    public TorchCnnTransformer Model { get; }

    /// <summary><see cref="Model"/> saved with <see cref="ModelFile.Save"/>.</summary>
    public string ModelPath { get; }

    /// <summary>The 500 test images as rows for a prediction engine.</summary>
    public ImageRow[] TestImages { get; }

    public void Dispose()
    {
        Model.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>An input row: 784 raw pixel values.</summary>
    public sealed class ImageRow
    {
        [VectorType(784)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>An output row of the classifier.</summary>
    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }
}
