using System.Runtime.InteropServices;
using MlNetMnist.Data;
using MlNetMnist.Serving;
using SkiaSharp;

namespace ScaleOut;

/// <summary>Real digits to send (MNIST test images as PNG files) and what each model answers for each of them.</summary>
internal sealed class DigitImages
{
    private DigitImages(byte[][] pngs, byte[] labels)
    {
        Pngs = pngs;
        Labels = labels;
    }

    public byte[][] Pngs { get; }

    public byte[] Labels { get; }

    public static DigitImages FromMnist(string mnistDirectory, int count)
    {
        var set = MnistData.LoadSet(mnistDirectory, MnistSplit.Test, count);
        var pngs = new byte[set.Count][];
        for (int i = 0; i < set.Count; i++) pngs[i] = Png(set.Pixels.AsSpan(i * set.ImageSize, set.ImageSize), set.Columns, set.Rows);
        return new DigitImages(pngs, set.Labels[..set.Count]);
    }

    /// <summary>What <paramref name="modelPath"/> answers for each image (label and probability), computed here with the same service the replicas run.</summary>
    public (string? Label, float Probability)[] ExpectedAnswers(string modelPath)
    {
        using var service = DigitPredictionService.Load(modelPath, new DigitPredictionServiceOptions { Threads = 1, MaximumRetainedEngines = 1 });
        return Pngs.Select(png => service.PredictImage(png)).Select(p => (p.Label, p.Probability)).ToArray();
    }

    private static byte[] Png(ReadOnlySpan<byte> gray, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(bitmap.GetPixelSpan()), width * height));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
