using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Image;
using Xunit.Abstractions;

namespace MlNetMnist.OnnxConsumer.Tests;

/// <summary>
/// A model.zip saved with image input (trained by the command-line app in another process) reads
/// real-world digit images here with ML.NET alone: no code of MlNetMnist prepares them, the MNIST-style
/// centring travels inside model.zip (ML.NET's image transforms and an ONNX graph), and inside the
/// standalone .onnx that <c>train --image-input --onnx</c> writes (ONNX Runtime alone, images fitted into
/// the working size and split into ARGB planes by a few lines of consumer code).
/// </summary>
public class ImageModelConsumerTests(ITestOutputHelper output)
{
    [Fact]
    public void ModelLoadAndTheStandaloneOnnxReadOffCentreDigitsOnAGreyCanvasWithNoLibraryCode()
    {
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "TorchSharp" or "MlNetMnist");
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "MlNetMnist.dll")));

        string work = Path.Combine(Path.GetTempPath(), $"mlnetmnist-image-consumer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string modelPath = Path.Combine(work, "model.zip");
            string onnxPath = Path.Combine(work, "model.onnx");
            string images = Path.Combine(work, "images");
            ConsumerTests.RunCli("train", "--data", ConsumerTests.MnistDirectoryForTests(), "--model", modelPath, "--epochs", "2", "--max-train-rows", "30000", "--image-input",
                "--onnx", onnxPath);
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

            // The standalone graph (centring + network) with ONNX Runtime alone: the same probabilities.
            using var session = new InferenceSession(onnxPath);
            var standalone = ScoreWithStandaloneOnnx(ml, session, files.Select(f => f.ImagePath).ToList());
            double onnxAccuracy = standalone.Zip(files, (p, f) => Array.IndexOf(p, p.Max()) == f.Label ? 1.0 : 0.0).Average();
            Assert.True(onnxAccuracy >= 0.98, $"standalone ONNX accuracy on off-centre digits on a grey canvas {onnxAccuracy:P2}");
            double maxDiff = 0;
            for (int i = 0; i < files.Count; i++)
                for (int c = 0; c < 10; c++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(standalone[i][c] - predictions[i].Score[c]));
            output.WriteLine($"model.zip accuracy {accuracy:P2}, standalone ONNX accuracy {onnxAccuracy:P2}, max |score difference| {maxDiff:E2}");
            Assert.True(maxDiff <= 1e-4, $"max |standalone ONNX - model.zip| {maxDiff:E2}");
            Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "TorchSharp" or "MlNetMnist");
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    /// <summary>
    /// What an app does with the standalone .onnx: read the working size from its metadata, fit each image
    /// into that square keeping its aspect ratio (transparent padding) and take its alpha, red, green and
    /// blue planes (ML.NET's image transforms; any imaging code giving the same pixels will do), then run
    /// the graph in batches. Returns each image's class probabilities (Score).
    /// </summary>
    private static List<float[]> ScoreWithStandaloneOnnx(MLContext ml, InferenceSession session, IReadOnlyList<string> paths)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        int size = int.Parse(metadata["working_size"], CultureInfo.InvariantCulture);
        Assert.Equal($"4x{size}x{size}", metadata["input_shape"]);
        Assert.StartsWith("planes alpha, red, green, blue", metadata["input_layout"], StringComparison.Ordinal);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("Image", input.Key);
        Assert.Equal(new[] { -1, 4, size, size }, input.Value.Dimensions);

        var rows = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }));
        var planes = ml.Transforms.LoadImages("Image", null, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", size, size, "Image", ImageResizingEstimator.ResizingKind.IsoPad))
            .Append(ml.Transforms.ExtractPixels("Planes", "Image", ImagePixelExtractingEstimator.ColorBits.All,
                ImagePixelExtractingEstimator.ColorsOrder.ARGB, interleavePixelColors: false))
            .Fit(rows).Transform(rows).GetColumn<float[]>("Planes").ToList();

        const int batch = 50;
        int plane = 4 * size * size;
        var scores = new List<float[]>(paths.Count);
        for (int start = 0; start < planes.Count; start += batch)
        {
            int n = Math.Min(batch, planes.Count - start);
            var values = new float[n * plane];
            for (int i = 0; i < n; i++) planes[start + i].CopyTo(values, i * plane);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Image", new DenseTensor<float>(values, [n, 4, size, size]))]);
            var score = results.Single(r => r.Name == "Score").AsTensor<float>().ToArray();
            for (int i = 0; i < n; i++) scores.Add(score.AsSpan(i * 10, 10).ToArray());
        }
        return scores;
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }
}
