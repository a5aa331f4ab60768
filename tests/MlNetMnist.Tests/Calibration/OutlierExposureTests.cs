using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;
using MlNetMnist.Training;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Calibration;

/// <summary>
/// The same recipe trained twice, without and with <see cref="OutlierExposure"/>: the default TorchCnn with
/// automatic polarity, 8 epochs on all 60,000 MNIST training images, a tenth held out for calibration, seed 1
/// (or the seed in the environment variable <c>MLNETMNIST_OE_SEED</c>: how the README's figures for seeds 2
/// and 3 were measured). Outlier exposure needs that much: at 4 epochs on 20,000 images it caught 89-92%
/// (README). The non-digit images of outlier exposure come from the training rows and the
/// Liberation fonts; the suite both models are measured on (<see cref="NonDigitImages"/>) comes from the
/// test digits and the DejaVu fonts, so neither the digits nor the fonts of the measurement were seen in training.
/// </summary>
public sealed class OutlierExposureFixture : IDisposable
{
    private const string FontFolder = "/usr/share/fonts/truetype/liberation";

    /// <summary>Epochs of both trainings.</summary>
    public const int Epochs = 8;

    /// <summary>The seed of both trainings.</summary>
    public static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MLNETMNIST_OE_SEED"), out int seed) ? seed : 1;

    public OutlierExposureFixture()
    {
        Directory = TestData.NewTempDirectory("mlnetmnist-outliers");
        TestSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test);
        var fonts = System.IO.Directory.Exists(FontFolder) ? System.IO.Directory.GetFiles(FontFolder, "Liberation*.ttf").Order(StringComparer.Ordinal).ToArray() : [];
        if (fonts.Length == 0) throw new InvalidOperationException($"No Liberation fonts in {FontFolder}: install the Debian package fonts-liberation (.ci/run does).");
        Exposure = new OutlierExposure(FontFiles: fonts);
        PlainPath = Train("plain.zip", null, out PlainAccuracy);
        ExposedPath = Train("exposed.zip", Exposure, out ExposedAccuracy);
    }

    public string Directory { get; }

    public MnistSet TestSet { get; }

    public OutlierExposure Exposure { get; }

    /// <summary>The model trained without outlier exposure, saved.</summary>
    public string PlainPath { get; }

    /// <summary>The model trained with outlier exposure, saved.</summary>
    public string ExposedPath { get; }

    /// <summary>MNIST test accuracy of each.</summary>
    public readonly double PlainAccuracy, ExposedAccuracy;

    /// <summary>The training log of the model with outlier exposure (ML.NET's log of the run).</summary>
    public List<string> Log { get; } = [];

    private string Train(string name, OutlierExposure? exposure, out double accuracy)
    {
        var ml = new MLContext(seed: Seed);
        if (exposure is not null) ml.Log += (_, e) => { if (e.Message.Contains("Outlier exposure", StringComparison.Ordinal) || e.Message.Contains("shares of the flag budget", StringComparison.Ordinal)) Log.Add(e.Message); };
        var train = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train);
        var options = new TorchCnnOptions { Epochs = Epochs, InputPolarity = InputPolarity.AutoInvert, ValidationFraction = 0.1, OutlierExposure = exposure };
        using var model = (IDisposable)ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        var transformer = (ITransformer)model;
        accuracy = ml.MulticlassClassification.Evaluate(transformer.Transform(TestSet.ToDataView())).MicroAccuracy;
        string path = Path.Combine(Directory, name);
        ModelFile.Save(ml, transformer, train.Schema, path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What outlier exposure buys on the non-digit suite, through the saved models (ONNX inside model.zip).</summary>
public class OutlierExposureTests(OutlierExposureFixture f, ITestOutputHelper output) : IClassFixture<OutlierExposureFixture>
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    private NonDigitCatch Measure(string path, string name, double accuracy)
    {
        using var service = DigitPredictionService.Load(path, new DigitPredictionServiceOptions { ConfidenceThreshold = 0 });
        Assert.True(service.HasOutOfDistributionScore);
        var result = NonDigitCatch.Measure(service, f.TestSet);
        output.WriteLine(string.Format(Ci, "{0} (seed {1}): MNIST test accuracy {2:P2}", name, OutlierExposureFixture.Seed, accuracy));
        output.WriteLine(result.Table);
        return result;
    }

    [Fact]
    public void OutlierExposureCatchesAbout95PercentOfNonDigitsOfUnseenFontsAndDigitsWhileFlaggingAtMost2PercentOfTestDigits()
    {
        var plain = Measure(f.PlainPath, "without outlier exposure", f.PlainAccuracy);
        var exposed = Measure(f.ExposedPath, "with outlier exposure", f.ExposedAccuracy);
        foreach (string line in f.Log) output.WriteLine(line);

        // Both calibrated to flag about 1% of held-out digits (with outlier exposure: of each group, as they are
        // and prepared like user images); on the test digits at most 2%, prepared like user images or as they are.
        Assert.True(plain.DigitRate <= 0.02, $"plain: {plain.DigitRate:P2} of the test digits flagged");
        Assert.True(exposed.DigitRate <= 0.02, $"exposed: {exposed.DigitRate:P2} of the test digits flagged");
        Assert.True(exposed.UnpreparedDigitRate <= 0.02, $"exposed: {exposed.UnpreparedDigitRate:P2} of the test digits as they are flagged");
        // Issue 13's target: >= 95% of the non-digits caught at <= 2% of the digits flagged. It holds on the mean of seeds
        // 1-3 on every machine type measured (README), not on every single run: a seed's weights differ per instruction
        // set, and the nine runs (3 seeds x AMD AVX-512, AVX2 kernels, Intel AVX-512) caught 94.7-96.2% (against 58.3-62.1%
        // without; letters 92.0-95.0% against 1.5-8.0%, AMD and Intel) at 1.03-1.51% of the test digits flagged. Seed 1 on the Intel Xeon
        // (family 6 model 207) caught 94.7%, so one run is held to 94%, a point under the target and 35 points above the
        // plain model: what it guards is the method, not the second decimal of one seed.
        Assert.True(exposed.Caught >= 0.94, $"caught {exposed.Caught:P1} with outlier exposure");
        Assert.True(exposed.Caught >= plain.Caught + 0.20, $"caught {exposed.Caught:P1} with outlier exposure, {plain.Caught:P1} without");
        Assert.True(exposed.CaughtByKind["letter"] >= plain.CaughtByKind["letter"] + 0.50, $"letters {exposed.CaughtByKind["letter"]:P1} with, {plain.CaughtByKind["letter"]:P1} without");
        // With the budget shared out, the score beats the plain top probability at the same rate of flagged digits.
        Assert.True(exposed.Caught >= exposed.TopProbabilityCatch + 0.03, $"score {exposed.Caught:P1}, top probability {exposed.TopProbabilityCatch:P1}");
        Assert.Equal(1.0, exposed.CaughtByKind["noise"]);
        Assert.Equal(1.0, exposed.CaughtByKind["texture"]);
        // Its price: a little digit accuracy (0.19-0.39 points, seeds 1-3: 98.96-99.20% against 99.35-99.39%).
        Assert.True(f.ExposedAccuracy >= 0.985, $"test accuracy {f.ExposedAccuracy:P2} with outlier exposure");
        Assert.Equal(2, f.Log.Count);
        Assert.Contains($"letters from {f.Exposure.FontFiles!.Count} font faces", f.Log[0]);
        Assert.Contains("non-digit images made from the validation rows", f.Log[1]);
    }
}
