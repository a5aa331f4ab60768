using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.OnnxConsumer.Tests;

/// <summary>
/// A model.zip saved with image input (trained by the command-line app in another process) reads
/// real-world digit images here with ML.NET alone: no code of MlNetMnist prepares them, the MNIST-style
/// centring travels inside model.zip (ML.NET's image transforms and an ONNX graph).
/// </summary>
public class ImageModelConsumerTests
{
    [Fact]
    public void ModelLoadReadsOffCentreDigitsOnAGreyCanvasWithNoLibraryCode()
    {
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "TorchSharp" or "MlNetMnist");
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "MlNetMnist.dll")));

        string work = Path.Combine(Path.GetTempPath(), $"mlnetmnist-image-consumer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string modelPath = Path.Combine(work, "model.zip");
            string images = Path.Combine(work, "images");
            ConsumerTests.RunCli("train", "--data", ConsumerTests.MnistDirectoryForTests(), "--model", modelPath, "--epochs", "2", "--max-train-rows", "30000", "--image-input");
            // 1,000 MNIST test digits, each at its own size somewhere on a 56-140 px grey canvas (dark ink), as PNG files.
            ConsumerTests.RunCli("robustness", "--data", ConsumerTests.MnistDirectoryForTests(), "--write-only", "--images", images, "--variants", "off-centre-grey", "--count", "1000");
            string folder = Path.Combine(images, "off-centre-grey");
            var files = File.ReadLines(Path.Combine(folder, "labels.csv")).Skip(1)
                .Select(line => line.Split(','))
                .Select(parts => new PathRow { ImagePath = Path.Combine(folder, parts[0]), Label = uint.Parse(parts[1], CultureInfo.InvariantCulture) })
                .ToList();
            Assert.Equal(1000, files.Count);

            var ml = new MLContext(seed: 1);
            var model = ml.Model.Load(modelPath, out var schema);
            Assert.IsType<TextDataViewType>(schema["ImagePath"].Type);
            var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(ml.Data.LoadFromEnumerable(files)), reuseRowObject: false).ToList();
            double accuracy = predictions.Zip(files, (p, f) => p.PredictedLabel == f.Label ? 1.0 : 0.0).Average();
            Assert.True(accuracy >= 0.98, $"accuracy on off-centre digits on a grey canvas {accuracy:P2}");
            Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "TorchSharp" or "MlNetMnist");
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        public uint PredictedLabel { get; set; }
    }
}
