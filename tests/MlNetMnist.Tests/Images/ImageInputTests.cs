using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Images;

[Collection(ImageModelCollection.Name)]
public class ImageInputTests(ImageModelFixture f)
{
    [Fact]
    public void SavedPlainImageModelScoresImageFilesWithMlNetAloneLikeThePixelModel()
    {
        ImageAnalyticsCheck.Require();
        const int n = 2000;
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(f.PlainImageModelPath, out var schema);
        Assert.Equal(TextDataViewType.Instance, schema["ImagePath"].Type);
        // What loads is ML.NET's own chain: image transforms, then the ONNX scorer and key mappings.
        Assert.True(ImageInputSplitter.HasImageInput(loaded));

        var rows = ml.Data.LoadFromEnumerable(f.PngPaths.Take(n).Select(p => new ImageModelFixture.PathRow { ImagePath = p }));
        var fromFiles = ml.Data.CreateEnumerable<ImageModelFixture.ScoreRow>(loaded.Transform(rows), reuseRowObject: false).ToList();
        var test = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: n);
        var fromIdx = ml.Data.CreateEnumerable<ImageModelFixture.ScoreRow>(f.PixelModel.Transform(test), reuseRowObject: false).ToList();

        Assert.Equal(n, fromFiles.Count);
        double maxDiff = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 10; c++)
                maxDiff = Math.Max(maxDiff, Math.Abs(fromFiles[i].Score[c] - fromIdx[i].Score[c]));
        Assert.True(maxDiff <= 1e-5, $"max |score difference| {maxDiff:E2}");
    }

    [Fact]
    public void InvertedDigitsScoreExactlyLikeTheOriginalsInTorchSharpAndInTheSavedOnnxGraph()
    {
        const int n = 1000;
        var inverted = TestImages.Invert(f.TestSet.Pixels.AsSpan(0, n * 784));
        var labels = f.TestSet.Labels.Take(n).Select(l => (uint)l).ToArray();
        var invertedView = new InMemoryImageDataView(inverted, 784, labels);
        var originalView = new InMemoryImageDataView(f.TestSet.Pixels.AsSpan(0, n * 784).ToArray(), 784, labels);

        var ml = new MLContext(seed: 1);
        var loaded = ModelFile.Load(ml, f.PixelModelPath, out _);
        var torchOriginal = Scores(f.PixelModel, originalView);
        var torchInverted = Scores(f.PixelModel, invertedView);
        var onnxInverted = Scores(loaded, invertedView);
        double torchDiff = 0, onnxDiff = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 10; c++)
            {
                torchDiff = Math.Max(torchDiff, Math.Abs(torchOriginal[i][c] - torchInverted[i][c]));
                onnxDiff = Math.Max(onnxDiff, Math.Abs(torchInverted[i][c] - onnxInverted[i][c]));
            }
        Assert.True(torchDiff <= 1e-6, $"TorchSharp: max |inverted - original| {torchDiff:E2}");
        Assert.True(onnxDiff <= 1e-5, $"max |TorchSharp - saved ONNX| on inverted digits {onnxDiff:E2}");
    }

    [Fact]
    public void LargerBlackOnWhiteAndJpegDigitsAreStillReadCorrectlyByTheSavedModel()
    {
        ImageAnalyticsCheck.Require();
        // The saved image model, loaded with ML.NET alone, reads the files itself (centring inside model.zip).
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(f.ImageModelPath, out _);
        var accuracies = new Dictionary<string, double>();
        foreach (var (variant, files) in f.Variants.Value)
        {
            var rows = ml.Data.LoadFromEnumerable(files.Select(v => new ImageModelFixture.PathRow { ImagePath = v.Path }));
            var scores = Scores(loaded, rows);
            accuracies[variant] = files.Select((v, i) => ArgMax(scores[i]) == v.Label ? 1.0 : 0.0).Average();
        }
        Assert.True(accuracies.Values.All(a => a >= 0.97), string.Join("; ", accuracies.Select(a => $"{a.Key}: {a.Value:P1}")));
    }

    [Fact]
    public void LargerBlackOnWhiteAndJpegDigitsAreStillReadCorrectlyByTheService()
    {
        // The serving path: images prepared by the model's own saved chain, then the pooled engines.
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        Assert.True(service.PreparesWithModel);
        var report = new List<string>();
        bool ok = true;
        foreach (var (variant, files) in f.Variants.Value)
        {
            double accuracy = files.Average(v => service.PredictImageFile(v.Path).Label == v.Label.ToString() ? 1.0 : 0.0);
            report.Add($"{variant}: {accuracy:P1}");
            ok &= accuracy >= 0.97;
        }
        Assert.True(ok, string.Join("; ", report));
    }

    [Fact]
    public void ImagePipelineAppendTrainerLearnsAFolderOfTextLabelsAndSavesOneModelThatTakesPaths()
    {
        ImageAnalyticsCheck.Require();
        // Three classes with text labels, 150 images each, from the PNG folder.
        string root = Path.Combine(f.Directory, "words");
        var names = new Dictionary<int, string> { [0] = "zero", [1] = "one", [7] = "seven" };
        var heldOut = new List<(string Path, string Label)>();
        foreach (var (digit, name) in names)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            var files = Enumerable.Range(0, f.TestSet.Count).Where(i => f.TestSet.Labels[i] == digit).Take(180).ToList();
            foreach (int i in files.Take(150)) File.Copy(f.PngPaths[i], Path.Combine(root, name, $"{i}.png"));
            heldOut.AddRange(files.Skip(150).Select(i => (f.PngPaths[i], name)));
        }

        var ml = new MLContext(seed: 1);
        var data = ImageFolderData.LoadPaths(ml, root);
        var pipeline = ml.Transforms.DigitImageInput()
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue))
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 3, BatchSize = 32, InputPolarity = InputPolarity.AutoInvert }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        string path = Path.Combine(f.Directory, "words-model.zip");
        try
        {
            ModelFile.Save(ml, model, data.Schema, path);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out var schema);
        Assert.Equal(TextDataViewType.Instance, schema["Label"].Type);
        var rows = fresh.Data.LoadFromEnumerable(heldOut.Select(h => new TextPathRow { ImagePath = h.Path, Label = "" }));
        var predicted = fresh.Data.CreateEnumerable<TextPrediction>(loaded.Transform(rows), reuseRowObject: false).Select(p => p.PredictedLabel).ToList();
        double accuracy = predicted.Zip(heldOut, (p, h) => p == h.Label ? 1.0 : 0.0).Average();
        Assert.True(accuracy >= 0.9, $"held-out accuracy {accuracy:P1}");
        Assert.Equal(new[] { "one", "seven", "zero" }, predicted.Distinct().Order(StringComparer.Ordinal));
    }

    private static List<float[]> Scores(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>("Score").ToList();

    private static int ArgMax(float[] scores) => Array.IndexOf(scores, scores.Max());

    private sealed class TextPathRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class TextPrediction
    {
        public string PredictedLabel { get; set; } = "";
    }
}
