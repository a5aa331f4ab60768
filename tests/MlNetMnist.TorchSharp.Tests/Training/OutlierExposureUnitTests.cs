using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using MlNetMnist.Training;
using TorchSharp;

namespace MlNetMnist.Tests.Training;

/// <summary>
/// The parts of <see cref="OutlierExposure"/> that need no long training: the non-digit images, the
/// loss term, the options' checks, the shape check, the checkpoint fingerprint, and a short training
/// run with it on. Its effect on the out-of-distribution score is measured in OutlierExposureTests
/// (MlNetMnist.Tests, Calibration). Serial: the seed test compares two trainings bit for bit.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class OutlierExposureUnitTests
{
    internal const string DejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    private static float[] TrainingDigits(int count) =>
        MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train, maxRows: count).Pixels.Select(b => (float)b).ToArray();

    [Fact]
    public void TheNonDigitImagesAreReproducibleMnistStyleAndOfEveryKind()
    {
        var digits = TrainingDigits(200);
        float[] a, b, c;
        using (var synthesis = new NonDigitSynthesis(digits, [DejaVu], seed: 5))
        {
            Assert.Equal(1, synthesis.FontCount);
            a = synthesis.Create(100);
        }
        using (var synthesis = new NonDigitSynthesis(digits, [DejaVu], seed: 5)) b = synthesis.Create(100);
        using (var synthesis = new NonDigitSynthesis(digits, [DejaVu], seed: 6)) c = synthesis.Create(100);

        Assert.Equal(100 * 784, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.InRange(v, 0f, 255f));
        for (int i = 0; i < 100; i++)
        {
            var image = a.AsSpan(i * 784, 784).ToArray();
            Assert.True(image.Max() >= 128, $"image {i} has no ink");
            Assert.True(image.Count(v => v >= 128) < 784, $"image {i} is all ink");
        }
        Assert.Equal(["noise", "texture", "letter", "several digits", "part of a digit"], NonDigitSynthesis.Kinds);
    }

    [Fact]
    public void WithoutFontsTheLettersAreLeftOutAndABadFontFileIsNamed()
    {
        var digits = TrainingDigits(50);
        using (var none = new NonDigitSynthesis(digits, [], seed: 1))
        {
            Assert.Equal(0, none.FontCount);
            Assert.Equal(20 * 784, none.Create(20).Length);
        }
        string missing = Path.Combine(Path.GetTempPath(), "no-such-font.ttf");
        var e = Assert.Throws<ArgumentException>(() => new NonDigitSynthesis(digits, [missing], seed: 1));
        Assert.Contains(missing, e.Message);
        string text = Path.Combine(Path.GetTempPath(), $"not-a-font-{Guid.NewGuid():N}.ttf");
        File.WriteAllText(text, "not a font");
        try
        {
            e = Assert.Throws<ArgumentException>(() => new NonDigitSynthesis(digits, [text], seed: 1));
            Assert.Contains(text, e.Message);
            Assert.Contains("TrueType or OpenType", e.Message);
        }
        finally
        {
            File.Delete(text);
        }
    }

    [Fact]
    public void TheOutlierLossIsTheCrossEntropyAgainstTheUniformAnswer()
    {
        using var scope = torch.NewDisposeScope();
        var digits = torch.zeros(2, 10);
        // Flat logits: every class 1/10, the cross-entropy against uniform is ln 10.
        Assert.Equal(0.5 * Math.Log(10), TorchTrainer.OutlierLoss(digits, torch.zeros(4, 10), new OutlierExposure(Weight: 0.5, Loss: OutlierExposureLoss.Uniform)).ToDouble(), 5);
        // A confident answer costs more: mean over classes of -log p.
        var confident = torch.tensor(new float[] { 10, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, [1, 10]);
        Assert.True(TorchTrainer.OutlierLoss(digits, confident, new OutlierExposure(Weight: 1, Loss: OutlierExposureLoss.Uniform)).ToDouble() > Math.Log(10) + 1);
    }

    [Fact]
    public void TheDigitOrNotLossIsTheLogisticLossOfLogSumExpOnDigitsAndNonDigits()
    {
        using var scope = torch.NewDisposeScope();
        var exposure = new OutlierExposure(Weight: 0.5, Loss: OutlierExposureLoss.DigitOrNot);
        // One digit row with logits (2, 0, ..., 0) and one non-digit row with all logits -3, by hand:
        // L = log(e^2 + 9), loss = softplus(-L); the non-digit's L' = -3 + ln 10, loss = softplus(L').
        var digit = torch.tensor(new float[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, [1, 10]);
        var nonDigit = torch.full(1, 10, -3f);
        double l = Math.Log(Math.Exp(2) + 9), lOut = -3 + Math.Log(10);
        double expected = 0.5 * (Math.Log(1 + Math.Exp(-l)) + Math.Log(1 + Math.Exp(lOut)));
        Assert.Equal(expected, TorchTrainer.OutlierLoss(digit, nonDigit, exposure).ToDouble(), 5);
        // It falls as the digits' logits rise and the non-digits' fall, whatever their spread.
        Assert.True(TorchTrainer.OutlierLoss(digit + 5, nonDigit - 5, exposure).ToDouble() < 0.01);
        Assert.True(TorchTrainer.OutlierLoss(digit - 5, nonDigit + 5, exposure).ToDouble() > 3);
        // The flat answer of the uniform loss is no answer here: equal large logits still say "a digit".
        Assert.True(TorchTrainer.OutlierLoss(digit, torch.full(1, 10, 5f), exposure).ToDouble() > 3);
    }

    [Theory]
    [InlineData(0.0, 32, 6000, "OutlierExposure.Weight")]
    [InlineData(0.5, 0, 6000, "OutlierExposure.ImagesPerBatch")]
    [InlineData(0.5, 32, 10, "OutlierExposure.PoolSize")]
    public void OptionsOutOfRangeAreRefusedByName(double weight, int perBatch, int pool, string name)
    {
        var o = new TorchCnnOptions { OutlierExposure = new OutlierExposure(weight, perBatch, pool) };
        var e = Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        Assert.Equal(name, e.ParamName);
        Assert.Contains($"TorchCnnOptions.{name} is", e.Message);
    }

    [Fact]
    public void ImagesOtherThan28x28GrayAreRefusedBeforeTraining()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(40, 3, 8, 8, 2);
        var raw = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 3, 8, 8));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var trainer = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 10, OutlierExposure = new OutlierExposure() });
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.Contains("TorchCnnOptions.OutlierExposure", e.Message);
        Assert.Contains("'Features' holds 3x8x8", e.Message);
    }

    [Fact]
    public void TheCheckpointFingerprintHasOutlierExposureOnlyWhenItIsOn()
    {
        using var scope = torch.NewDisposeScope();
        using var data = new TrainingData(torch.zeros(4, 784), torch.zeros(4, torch.int64));
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, NormalizeSpec.ForPixels(0.1f, 0.3f));
        var off = TrainingFingerprint.Create(new TorchCnnOptions { Seed = 1 }, definition, ["a"], data, null);
        var on = TrainingFingerprint.Create(new TorchCnnOptions { Seed = 1, OutlierExposure = new OutlierExposure() }, definition, ["a"], data, null);
        Assert.DoesNotContain("OutlierExposure", off.Values.Keys);
        Assert.Contains("OutlierExposure", on.Values.Keys);
        Assert.Single(on.Differences(off));
        Assert.Equal(new OutlierExposure(FontFiles: ["x.ttf"]), new OutlierExposure(FontFiles: ["x.ttf"]));
        Assert.NotEqual(new OutlierExposure(FontFiles: ["x.ttf"]), new OutlierExposure(FontFiles: ["y.ttf"]));
        Assert.NotEqual(new OutlierExposure(), new OutlierExposure(Loss: OutlierExposureLoss.Uniform));
        // The uniform loss (the only one before the option existed) leaves the fingerprint of older runs as it was.
        Assert.DoesNotContain("Loss", System.Text.Json.JsonSerializer.Serialize(new OutlierExposure(Weight: 0.25, Loss: OutlierExposureLoss.Uniform)));
        Assert.Contains("\"Loss\":1", System.Text.Json.JsonSerializer.Serialize(new OutlierExposure()));
    }

    /// <summary>A short run with outlier exposure on: it trains, and the same seed gives the same network.</summary>
    [Fact]
    public void ATrainingWithOutlierExposureLearnsTheDigitsAndRepeatsForASeed()
    {
        var ml = new MLContext(seed: 1);
        var train = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 3000);
        var test = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 1000);
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var options = new TorchCnnOptions { Epochs = 2, Seed = 3, ValidationFraction = 0.1, OutlierExposure = new OutlierExposure(PoolSize: 500, FontFiles: [DejaVu]) };
        float[] Fit()
        {
            using var model = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(key.Transform(train));
            var scored = model.Transform(key.Transform(test));
            Assert.True(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy > 0.85);
            return scored.GetColumn<float[]>("Score").Take(20).SelectMany(s => s).ToArray();
        }
        Assert.Equal(Fit(), Fit());
    }
}
