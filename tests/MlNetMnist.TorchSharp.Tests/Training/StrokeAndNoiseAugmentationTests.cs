using System.Text.Json;
using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Training;
using TorchSharp;

namespace MlNetMnist.Tests.Training;

/// <summary>The stroke-width and salt-and-pepper parts of <see cref="BatchAugmentation"/>, on a few test digits.</summary>
public class StrokeAndNoiseAugmentationTests
{
    private const int Count = 16;

    private static torch.Tensor Digits()
    {
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: Count);
        return torch.tensor(set.Pixels.Select(b => (float)b).ToArray(), new long[] { Count, 784 });
    }

    /// <summary>Pixels of each image above half brightness (ink).</summary>
    private static long[] InkPerImage(torch.Tensor flat) => flat.gt(127.5).sum(1).data<long>().ToArray();

    private static torch.Tensor Change(torch.Tensor flat, double change)
    {
        var images = flat.view(Count, 1, 28, 28);
        using var amount = torch.full(new long[] { Count, 1, 1, 1 }, change);
        return BatchAugmentation.ChangeStrokes(images, amount).reshape(Count, 784);
    }

    [Fact]
    public void DilationThickensEveryDigitAndErosionThinsIt()
    {
        using var scope = torch.NewDisposeScope();
        var x = Digits();
        long[] before = InkPerImage(x);
        long[] thick = InkPerImage(Change(x, 1));
        long[] half = InkPerImage(Change(x, 0.5));
        long[] thin = InkPerImage(Change(x, -1));
        long[] thicker = InkPerImage(Change(x, 2));
        long[] thinner = InkPerImage(Change(x, -2));
        long[] same = InkPerImage(Change(x, 0));

        Assert.Equal(before, same);
        for (int i = 0; i < Count; i++)
        {
            Assert.True(thick[i] > before[i] * 13 / 10, $"digit {i}: dilation gave {thick[i]} ink pixels from {before[i]}");
            Assert.InRange(half[i], before[i], thick[i]);
            Assert.True(thin[i] < before[i] * 7 / 10, $"digit {i}: erosion gave {thin[i]} ink pixels from {before[i]}");
            Assert.True(thicker[i] > thick[i], $"digit {i}: 2-pixel dilation gave {thicker[i]} ink pixels, 1 pixel {thick[i]}");
            Assert.True(thinner[i] <= thin[i], $"digit {i}: 2-pixel erosion gave {thinner[i]} ink pixels, 1 pixel {thin[i]}");
        }
        // Pixel values stay in the image's range: a blend of max and min of neighbours.
        Assert.InRange(Change(x, 1).max().ToSingle(), 0f, 255f);
        Assert.InRange(Change(x, -1).min().ToSingle(), 0f, 255f);
    }

    [Fact]
    public void AugmentationWithOnlyStrokeChangesKeepsTheDigitInPlaceAndIsReproducible()
    {
        using var scope = torch.NewDisposeScope();
        var x = Digits();
        var strokesOnly = new BatchAugmentation(MaxRotationDegrees: 0, MaxScale: 0, MaxShiftPixels: 0, MaxStrokeChangePixels: 2);
        var a = strokesOnly.Apply(x, 1, 28, 28, new torch.Generator(3));
        var b = strokesOnly.Apply(x, 1, 28, 28, new torch.Generator(3));
        var c = strokesOnly.Apply(x, 1, 28, 28, new torch.Generator(4));

        Assert.Equal(x.shape, a.shape);
        Assert.Equal(0f, (a - b).abs().max().ToSingle());
        Assert.True((a - c).abs().max().ToSingle() > 0, "another seed gave the same batch");
        long[] before = InkPerImage(x), after = InkPerImage(a);
        // Each image is thickened or thinned by its own draw: some of each in 16.
        Assert.Contains(Enumerable.Range(0, Count), i => after[i] > before[i]);
        Assert.Contains(Enumerable.Range(0, Count), i => after[i] < before[i]);
    }

    [Fact]
    public void SaltAndPepperSetsAboutTheDrawnFractionOfPixelsToBlackOrWhite()
    {
        using var scope = torch.NewDisposeScope();
        var x = Digits();
        var noise = new BatchAugmentation(MaxRotationDegrees: 0, MaxScale: 0, MaxShiftPixels: 0, MaxSaltAndPepperFraction: 0.1);
        var a = noise.Apply(x, 1, 28, 28, new torch.Generator(5));
        var b = noise.Apply(x, 1, 28, 28, new torch.Generator(5));

        Assert.Equal(0f, (a - b).abs().max().ToSingle());
        var changed = (a - x).abs().gt(0.5);
        double fraction = changed.to_type(torch.ScalarType.Float32).mean().ToSingle();
        // Fractions drawn from [0, 0.1], mean 0.05; some hits land on a pixel that already had that value.
        Assert.InRange(fraction, 0.01, 0.09);
        // Every changed pixel is now background or full white.
        var values = a.masked_select(changed);
        Assert.True(values.eq(0).logical_or(values.eq(255)).all().ToBoolean());
    }

    [Fact]
    public void StrokeAndNoiseOptionsOffLeaveTheAffineDrawsAndTheFingerprintJsonAsBefore()
    {
        using var scope = torch.NewDisposeScope();
        var x = Digits();
        var before = new BatchAugmentation(15, 0.1, 2).Apply(x, 1, 28, 28, new torch.Generator(9));
        var now = new BatchAugmentation(15, 0.1, 2, MaxStrokeChangePixels: 0, MaxSaltAndPepperFraction: 0).Apply(x, 1, 28, 28, new torch.Generator(9));
        Assert.Equal(0f, (before - now).abs().max().ToSingle());
        // Checkpoint fingerprints serialise the augmentation: the options that are off are left out.
        Assert.Equal("{\"MaxRotationDegrees\":10,\"MaxScale\":0.1,\"MaxShiftPixels\":2}", JsonSerializer.Serialize(new BatchAugmentation()));
        Assert.Contains("MaxStrokeChangePixels", JsonSerializer.Serialize(new BatchAugmentation(MaxStrokeChangePixels: 1)));
    }

    [Fact]
    public void LabelsAreUntouchedByATrainingRunWithTheNewAugmentation()
    {
        // Apply takes only the pixels; the trainer passes the labels on unchanged. A short run with the
        // augmentation on still learns the labels (well above the 10% of chance on its own training rows).
        var ml = new MLContext(seed: 1);
        var data = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 1024);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var options = TorchCnnPresets.Robust();
        options.Epochs = 3;
        options.Threads = 1;
        options.Augmentation = options.Augmentation! with { MaxSaltAndPepperFraction = 0.02 };
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(keyed);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(keyed));
        Assert.True(metrics.MicroAccuracy > 0.3, $"accuracy {metrics.MicroAccuracy}");
    }
}
