using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;
using MlNetMnist.Reports;
using MlNetMnist.Serving;
using SkiaSharp;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Cli;

/// <summary>
/// A 3-channel (RGB 32x32) classifier end to end: trained on a <c>Vector&lt;Single, 3, 32, 32&gt;</c> column
/// (red, green and blue planes of row-major pixels), saved and loaded, put behind the image-input chain
/// (colour kept), served by the prediction service, predicted by the command line from PNG files, and
/// reported with colour thumbnails. Class k is a bright square in channel k (red, green, blue).
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class RgbEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Colours = ["red", "green", "blue"];
    private static readonly ImageShape Rgb32 = new(3, 32, 32);
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-rgb");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AnRgbModelTrainsSavesLoadsTakesImagesServesPredictsFromTheCommandLineAndReportsInColour()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(150, 3, 32, 32, 3, seed: 1);
        var rows = pixels.Zip(classes, (p, c) => new ColourRow { Features = p, Label = Colours[c] }).ToArray();
        var schema = SchemaDefinition.Create(typeof(ColourRow));
        schema[nameof(ColourRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3, 32, 32);
        var data = ml.Data.LoadFromEnumerable(rows, schema);

        // Training: the shape comes from the column's dimensions.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 4, BatchSize = 30, Threads = 2 }));
        var model = pipeline.Fit(data);
        var classifier = TransformerChains.RequireOnly<TorchCnnTransformer>(model);
        Assert.Equal(Rgb32, classifier.InputShape);
        var inMemory = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToArray();
        double accuracy = inMemory.Zip(rows, (p, r) => p.PredictedColour() == r.Label ? 1.0 : 0.0).Average();
        output.WriteLine($"training accuracy {accuracy:P1}");
        Assert.True(accuracy > 0.9, $"accuracy {accuracy:P1}");

        // Save and load: same scores, shape and class names in the file.
        string pixelModelPath = Path.Combine(_dir, "rgb-pixels.zip");
        ModelFile.Save(ml, model, data.Schema, pixelModelPath);
        Assert.Equal(Rgb32, ImageShape.FromModelFile(pixelModelPath));
        var loaded = ModelFile.Load(ml, pixelModelPath, out var loadedSchema);
        var fromFile = ml.Data.CreateEnumerable<Prediction>(loaded.Transform(data), reuseRowObject: false).ToArray();
        Assert.Equal(inMemory.Select(p => p.PredictedLabel), fromFile.Select(p => p.PredictedLabel));
        Assert.True(inMemory.Zip(fromFile).All(pair => pair.First.Score.Zip(pair.Second.Score).All(s => Math.Abs(s.First - s.Second) < 1e-5)));

        // PNG files: root/<colour>/<n>.png, the images exactly.
        string pngRoot = Path.Combine(_dir, "png");
        var paths = new string[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            string folder = Path.Combine(pngRoot, rows[i].Label);
            Directory.CreateDirectory(folder);
            paths[i] = Path.Combine(folder, $"{i:D3}.png");
            File.WriteAllBytes(paths[i], ReportImages.ToPng(rows[i].Features.Select(v => (byte)v).ToArray(), Rgb32));
        }

        // The image-input chain keeps the colour (taken from the model's shape) and saves into one model.zip.
        var (imageModel, imageSchema) = ml.PrependDigitImageInput(model, data.Schema);
        string imageModelPath = Path.Combine(_dir, "rgb-images.zip");
        ModelFile.Save(ml, imageModel, imageSchema, imageModelPath);
        var loadedImages = ModelFile.Load(ml, imageModelPath, out _);
        var pathRows = ml.Data.LoadFromEnumerable(paths.Select((p, i) => new PathRow { ImagePath = p, Label = rows[i].Label }));
        var fromImages = ml.Data.CreateEnumerable<Prediction>(loadedImages.Transform(pathRows), reuseRowObject: false).ToArray();
        Assert.Equal(inMemory.Select(p => p.PredictedLabel), fromImages.Select(p => p.PredictedLabel));

        // The prediction service: shape from the file, colour images resized in colour.
        using (var service = DigitPredictionService.Load(pixelModelPath))
        {
            Assert.Equal(Rgb32, service.InputShape);
            Assert.Equal(Colours, service.ClassNames);
            for (int i = 0; i < 15; i++)
            {
                Assert.Equal(inMemory[i].PredictedColour(), service.Predict(rows[i].Features).Label);
                Assert.Equal(inMemory[i].PredictedColour(), service.PredictImageFile(paths[i]).Label);
                Assert.Equal(inMemory[i].PredictedColour(), service.PredictImage(File.ReadAllBytes(paths[i])).Label);
            }
        }

        // The command line's predict, from the PNG folder.
        var r = CliRunner.Run("predict", "--model", pixelModelPath, pngRoot, "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Output);
        var predicted = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(rows.Length, predicted.Count);
        double cliAccuracy = predicted.Average(e =>
            e.GetProperty("label").GetString() == Path.GetFileName(Path.GetDirectoryName(e.GetProperty("path").GetString())) ? 1.0 : 0.0);
        output.WriteLine($"predict accuracy on the PNG files {cliAccuracy:P1}");
        Assert.Equal(accuracy, cliAccuracy, 2);

        // The report: the shape is the model's, and the thumbnails are in colour.
        var report = MetricsReport.Evaluate(ml, model, data, new ReportOptions { SampleData = data, SampleImageCount = 9 });
        Assert.Equal(Rgb32, report.ImageShape);
        Assert.Equal(9, report.SampleImages.Count);
        foreach (var sample in report.SampleImages)
        {
            using var bitmap = SKBitmap.Decode(ReportImages.ToPng(sample.Pixels, Rgb32));
            var colours = Enumerable.Range(0, 32 * 32).Select(i => bitmap.GetPixel(i % 32, i / 32)).ToArray();
            int k = Array.IndexOf(Colours, sample.Label);
            // The brightest pixel is in the sample's own colour channel.
            var brightest = colours.MaxBy(c => c.Red + c.Green + c.Blue);
            byte[] channels = [brightest.Red, brightest.Green, brightest.Blue];
            Assert.Equal(k, Array.IndexOf(channels, channels.Max()));
        }
        string html = HtmlReportWriter.ToHtml(report);
        Assert.Contains("3x32x32", html, StringComparison.Ordinal);
        foreach (var disposable in TransformerChains.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
        (loaded as IDisposable)?.Dispose();
        (loadedImages as IDisposable)?.Dispose();
    }

    private sealed class ColourRow
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }

        public string PredictedColour() => Colours[PredictedLabel - 1];
    }
}
