using System.Globalization;
using Microsoft.ML;
using MlNetMnist.Calibration;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Reports;
using MlNetMnist.Serving;
using SkiaSharp;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Calibration;

/// <summary>
/// Images with no readable digit: truncated files are refused, blank images are empty, and inputs that
/// are not a handwritten digit are flagged by the out-of-distribution score the model calibrated on its
/// held-out training rows (the fixture's model: 20,000 MNIST training images, a tenth held out).
/// </summary>
[Collection(ImageModelCollection.Name)]
public class NoDigitTests(ImageModelFixture f, ITestOutputHelper output)
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void TheServiceRefusesATruncatedImageInMemoryAsAFileAndInABatch(string extension)
    {
        byte[] truncated = TestImages.Truncated(extension == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var e = Assert.Throws<InvalidDataException>(() => service.PredictImage(truncated));
        Assert.Contains("the image is incomplete", e.Message);

        string path = Path.Combine(f.Directory, $"truncated-service.{extension}");
        File.WriteAllBytes(path, truncated);
        e = Assert.Throws<InvalidDataException>(() => service.PredictImageFile(path));
        Assert.StartsWith($"{path}: the image is incomplete", e.Message);

        var results = service.PredictImageFiles([f.PngPaths[0], path]).ToList();
        Assert.Equal(f.TestSet.Labels[0].ToString(Ci), results[0].Prediction!.Label);
        Assert.Null(results[1].Prediction);
        Assert.StartsWith($"{path}: the image is incomplete", results[1].Error);
    }

    [Fact]
    public void BlankImagesAreEmptyWithNoLabelWhileEveryTestDigitHasInk()
    {
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        foreach (var (name, bytes) in TestImages.Blanks())
        {
            var p = service.PredictImage(bytes);
            Assert.True(p.IsEmpty, name);
            Assert.Equal(DigitPrediction.EmptyStatus, p.Status);
            Assert.Null(p.Label);
            Assert.Empty(p.Classes);
        }
        Assert.True(service.Predict(new float[784]).IsEmpty);
        Assert.True(service.Predict(Enumerable.Repeat(255f, 784).ToArray()).IsEmpty);

        string blank = Path.Combine(f.Directory, "blank-batch.png");
        File.WriteAllBytes(blank, TestImages.Blanks()[0].Bytes);
        Assert.Equal(DigitPrediction.EmptyStatus, service.PredictImageFiles([blank]).Single().Prediction!.Status);

        // No MNIST test digit is empty: the faintest has several times the threshold's contrast.
        float least = Enumerable.Range(0, f.TestSet.Count).Min(i => InkMeasure.Contrast(f.Features(i), 28, 28));
        output.WriteLine(string.Format(Ci, "Least ink contrast of the 10,000 test digits: {0:F1} (empty below {1})", least, service.EmptyInkThreshold));
        Assert.True(least > 3 * service.EmptyInkThreshold, $"least ink {least}");
    }

    [Fact]
    public void TheOutOfDistributionScoreFlagsNonDigitsAndFewTestDigits()
    {
        var classifier = ((IEnumerable<ITransformer>)f.PixelModel).OfType<TorchCnnTransformer>().Single();
        Assert.NotNull(classifier.Calibration.OutOfDistribution);
        // Confidence threshold 0: only the out-of-distribution score (and emptiness) flags.
        using var service = DigitPredictionService.Load(f.PixelModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0 });
        Assert.True(service.HasOutOfDistributionScore);
        var result = NonDigitCatch.Measure(service, f.TestSet);
        output.WriteLine(result.Table);

        // Targets: at most 2% of test digits flagged; noise and textures all caught.
        Assert.True(result.DigitRate <= 0.02, $"{result.DigitRate:P2} of the test digits flagged");
        Assert.Equal(1.0, result.CaughtByKind["noise"]);
        Assert.Equal(1.0, result.CaughtByKind["texture"]);
        // Better than the plain top probability at the same rate of flagged digits.
        Assert.True(result.Caught > result.TopProbabilityCatch + 0.1, $"score {result.Caught:P1}, top probability {result.TopProbabilityCatch:P1}");
    }

    [Fact]
    public void TheLoadedModelComputesTheSameScoreAndTemperatureInsideItsOnnxGraph()
    {
        var classifier = ((IEnumerable<ITransformer>)f.PixelModel).OfType<TorchCnnTransformer>().Single();
        Assert.NotEqual(1f, classifier.Calibration.Temperature);
        using var inProcess = new DigitPredictionService(f.Ml, f.PixelModel, f.Test.Schema, new DigitPredictionServiceOptions { ConfidenceThreshold = 0 });
        using var loaded = DigitPredictionService.Load(f.PixelModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0 });
        var suite = NonDigitImages.Create(f.TestSet.Pixels, f.TestSet.Count, perCategory: 10, seed: 5);
        foreach (var pixels in suite.Select(s => s.Pixels).Concat(Enumerable.Range(0, 50).Select(f.Features)))
        {
            var a = inProcess.Predict(pixels);
            var b = loaded.Predict(pixels);
            Assert.Equal(a.OutOfDistribution, b.OutOfDistribution);
            Assert.Equal(a.OutOfDistributionScore!.Value, b.OutOfDistributionScore!.Value, 1e-3);
            Assert.Equal(a.Probability, b.Probability, 1e-4);
        }
        var metadata = MlNetMnist.SavedModels.SavedModelMetadata.Read(f.PixelModelPath);
        Assert.Equal(classifier.Calibration.Temperature, float.Parse(metadata["temperature"], Ci));
    }

    /// <summary>
    /// The fixture's model is already nearly calibrated (measured: T = 1.024, test ECE 0.33% before and
    /// 0.37% after scaling); the fitted temperature must not make it worse than noise, and both figures
    /// are reported (JSON, HTML). <see cref="CalibrationFittingTests"/> shows the scaling fixing an overconfident model.
    /// </summary>
    [Fact]
    public void TheReportGivesTheCalibrationErrorBeforeAndAfterTemperatureScaling()
    {
        var (_, report) = ModelEvaluation.Evaluate(f.Ml, f.PixelModel, f.Test);
        var c = report.Calibration!;
        output.WriteLine(string.Format(Ci, "Temperature {0:F3}: expected calibration error {1:P2} (before scaling {2:P2})",
            c.Temperature, c.ExpectedCalibrationError, c.ExpectedCalibrationErrorBeforeScaling));
        Assert.Equal(CalibrationReport.DefaultBins, c.Bins.Count);
        Assert.Equal(10_000, c.Bins.Sum(b => b.Count));
        Assert.NotNull(c.ExpectedCalibrationErrorBeforeScaling);
        Assert.InRange(c.ExpectedCalibrationError, 0, 0.02);
        Assert.True(c.ExpectedCalibrationError <= c.ExpectedCalibrationErrorBeforeScaling!.Value + 0.005, "temperature scaling made the calibration error worse");

        var json = MetricsReport.FromJson(report.ToJson());
        Assert.Equal(c.ExpectedCalibrationError, json.Calibration!.ExpectedCalibrationError);
        string dir = Path.Combine(f.Directory, "calibration-report");
        var files = ReportWriter.WriteAll(report, dir);
        string html = File.ReadAllText(files.Html);
        Assert.Contains("id=\"reliability-diagram\"", html);
        Assert.Contains("Expected calibration error", html);
    }
}
