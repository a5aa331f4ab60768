using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The non-digit images of <see cref="OutlierExposure"/> for one training run, in a tensor, and the
/// draw of each batch's share of them.
/// </summary>
internal sealed class OutlierPool : IDisposable
{
    /// <summary>Training digits the several-digit and part-of-a-digit images are made from (at most).</summary>
    private const int SourceDigits = 8192;

    private readonly int _seed;

    private OutlierPool(Tensor images, int perBatch, int seed)
    {
        Images = images;
        PerBatch = perBatch;
        _seed = seed;
    }

    /// <summary>The images, <c>[PoolSize, 784]</c> raw pixels, on the training device.</summary>
    public Tensor Images { get; }

    /// <summary>How many are added to each batch.</summary>
    public int PerBatch { get; }

    /// <summary>
    /// Makes the pool from <paramref name="train"/>'s rows (the training part only), or returns null
    /// when <see cref="TorchCnnOptions.OutlierExposure"/> is off.
    /// </summary>
    /// <exception cref="ArgumentException">The images are not 28x28 single-channel, or a font file cannot be used.</exception>
    public static OutlierPool? Create(TorchCnnOptions options, ImageShape shape, TrainingData train, Device device, TrainingLog log)
    {
        if (options.OutlierExposure is not { } exposure) return null;
        RequireShape(options, shape);
        const int size = OutlierExposure.Size;
        var watch = Stopwatch.StartNew();
        float[] digits = SampleDigits(train, options.ResolvedSeed);
        using var synthesis = new NonDigitSynthesis(digits, exposure.FontFiles, options.ResolvedSeed + 3);
        float[] pixels = synthesis.Create(exposure.PoolSize);
        var images = tensor(pixels, [exposure.PoolSize, size * size]).to(device);
        log.Info(string.Format(CultureInfo.InvariantCulture,
            "Outlier exposure: {0:N0} non-digit images made from the training rows in {1:F1} s ({2}), {3} added to every batch, weight {4}.",
            exposure.PoolSize, watch.Elapsed.TotalSeconds,
            synthesis.FontCount > 0 ? $"letters from {synthesis.FontCount} font faces" : "no usable font: no letters",
            exposure.ImagesPerBatch, exposure.Weight));
        if (synthesis.FontCount == 0)
            log.Warning("Outlier exposure found no font that draws Latin capitals: the non-digit images have no letters. Set OutlierExposure.FontFiles, or install fonts (e.g. Debian's fonts-dejavu-core).");
        return new OutlierPool(images, exposure.ImagesPerBatch, options.ResolvedSeed);
    }

    /// <summary>Refuses outlier exposure for images other than 28x28 single-channel (checked before the data is read).</summary>
    /// <exception cref="ArgumentException">Outlier exposure is on and the images are of another shape.</exception>
    public static void RequireShape(TorchCnnOptions options, ImageShape shape)
    {
        const int size = OutlierExposure.Size;
        if (options.OutlierExposure is not null && (shape.Channels != 1 || shape.Height != size || shape.Width != size))
            throw new ArgumentException(
                $"TorchCnnOptions.OutlierExposure makes MNIST-style non-digit images and needs {size}x{size} single-channel images; " +
                $"the feature column '{options.FeatureColumnName}' holds {shape}. Turn it off for other images.");
    }

    /// <summary>The images for batch <paramref name="batch"/> of epoch <paramref name="epoch"/>: the same for the same seed, epoch and batch (so a resumed run draws what the uninterrupted one would).</summary>
    public Tensor Draw(int epoch, long batch)
    {
        var random = new Random(unchecked(_seed * 1_000_003 + epoch * 100_003 + (int)batch));
        var index = new long[PerBatch];
        for (int i = 0; i < index.Length; i++) index[i] = random.Next((int)Images.shape[0]);
        using var positions = tensor(index).to(Images.device);
        return Images.index_select(0, positions);
    }

    /// <summary>Up to <see cref="SourceDigits"/> training rows, chosen at random, as one float array.</summary>
    private static float[] SampleDigits(TrainingData train, int seed)
    {
        long n = train.Count;
        int take = (int)Math.Min(n, SourceDigits);
        var random = new Random(seed + 4);
        var index = Enumerable.Range(0, take).Select(_ => (long)random.NextInt64(n)).ToArray();
        using var positions = tensor(index).to(train.Features.device);
        using var rows = train.Features.index_select(0, positions).cpu();
        return rows.data<float>().ToArray();
    }

    public void Dispose() => Images.Dispose();
}
