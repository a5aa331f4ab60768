using System.Diagnostics;
using System.Globalization;
using MlNetMnist.Images;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The non-digit images of <see cref="OutlierExposure"/> for one training run, in a tensor, and the
/// draw of each batch's share of them. Beside them it holds training digits prepared the way the
/// non-digits are (as the service prepares user images: <see cref="DigitImagePreprocessor"/>), with their
/// labels, and each batch carries as many of those as of non-digits: were the preparation seen only on
/// non-digits, the network would learn its traces as a sign of "not a digit" and flag the users' own
/// digits, which the service prepares that way too.
/// </summary>
internal sealed class OutlierPool : IDisposable
{
    /// <summary>Training digits the several-digit and part-of-a-digit images are made from (at most).</summary>
    private const int SourceDigits = 8192;

    private readonly int _seed;

    private OutlierPool(Tensor images, Tensor preparedDigits, Tensor preparedLabels, int perBatch, int seed)
    {
        Images = images;
        PreparedDigits = preparedDigits;
        PreparedLabels = preparedLabels;
        PerBatch = perBatch;
        _seed = seed;
    }

    /// <summary>The images, <c>[PoolSize, 784]</c> raw pixels, on the training device.</summary>
    public Tensor Images { get; }

    /// <summary>Training digits prepared like user images, <c>[n, 784]</c>, on the training device.</summary>
    public Tensor PreparedDigits { get; }

    /// <summary>Their labels (class indices), <c>[n]</c>.</summary>
    public Tensor PreparedLabels { get; }

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
        var (digits, labels) = SampleDigits(train, options.ResolvedSeed);
        using var synthesis = new NonDigitSynthesis(digits, exposure.FontFiles, options.ResolvedSeed + 3);
        float[] pixels = synthesis.Create(exposure.PoolSize);
        var images = tensor(pixels, [exposure.PoolSize, size * size]).to(device);
        var prepared = tensor(PrepareDigits(digits, labels.Length), [labels.Length, size * size]).to(device);
        var preparedLabels = tensor(labels).to(device);
        log.Info(string.Format(CultureInfo.InvariantCulture,
            "Outlier exposure: {0:N0} non-digit images and {1:N0} training digits prepared like user images, made from the training rows in {2:F1} s ({3}); {4} of each added to every batch, loss {5}, weight {6}.",
            exposure.PoolSize, labels.Length, watch.Elapsed.TotalSeconds,
            synthesis.FontCount > 0 ? $"letters from {synthesis.FontCount} font faces" : "no usable font: no letters",
            exposure.ImagesPerBatch, exposure.Loss, exposure.Weight));
        if (synthesis.FontCount == 0)
            log.Warning("Outlier exposure found no font that draws Latin capitals: the non-digit images have no letters. Set OutlierExposure.FontFiles, or install fonts (e.g. Debian's fonts-dejavu-core).");
        return new OutlierPool(images, prepared, preparedLabels, exposure.ImagesPerBatch, options.ResolvedSeed);
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

    /// <summary>
    /// The extra rows of batch <paramref name="batch"/> of epoch <paramref name="epoch"/>: <see cref="PerBatch"/>
    /// non-digit images and as many prepared digits with their labels; the same for the same seed, epoch
    /// and batch (so a resumed run draws what the uninterrupted one would).
    /// </summary>
    public OutlierBatch Draw(int epoch, long batch)
    {
        var random = new Random(unchecked(_seed * 1_000_003 + epoch * 100_003 + (int)batch));
        var index = new long[PerBatch];
        for (int i = 0; i < index.Length; i++) index[i] = random.Next((int)Images.shape[0]);
        var digitIndex = new long[PerBatch];
        for (int i = 0; i < digitIndex.Length; i++) digitIndex[i] = random.Next((int)PreparedDigits.shape[0]);
        using var positions = tensor(index).to(Images.device);
        using var digitPositions = tensor(digitIndex).to(Images.device);
        return new OutlierBatch(PreparedDigits.index_select(0, digitPositions), PreparedLabels.index_select(0, digitPositions), Images.index_select(0, positions));
    }

    /// <summary>Up to <see cref="SourceDigits"/> training rows, chosen at random: their pixels as one float array, and their labels.</summary>
    private static (float[] Pixels, long[] Labels) SampleDigits(TrainingData train, int seed)
    {
        long n = train.Count;
        int take = (int)Math.Min(n, SourceDigits);
        var random = new Random(seed + 4);
        var index = Enumerable.Range(0, take).Select(_ => (long)random.NextInt64(n)).ToArray();
        using var positions = tensor(index).to(train.Features.device);
        using var rows = train.Features.index_select(0, positions).cpu();
        using var labels = train.Labels.index_select(0, positions).cpu();
        return (rows.data<float>().ToArray(), labels.data<long>().ToArray());
    }

    /// <summary>The first <paramref name="count"/> 28x28 digits of <paramref name="digits"/>, each prepared as the service prepares user images (polarity as it is: MNIST's).</summary>
    internal static float[] PrepareDigits(float[] digits, int count)
    {
        const int pixels = OutlierExposure.Size * OutlierExposure.Size;
        var centre = new DigitImagePreprocessor(new DigitPreprocessingOptions { Polarity = InputPolarity.AsIs });
        var result = new float[count * pixels];
        Parallel.For(0, count, i =>
            centre.ProcessGray(digits.AsSpan(i * pixels, pixels), OutlierExposure.Size, OutlierExposure.Size).CopyTo(result, i * pixels));
        return result;
    }

    public void Dispose()
    {
        Images.Dispose();
        PreparedDigits.Dispose();
        PreparedLabels.Dispose();
    }
}
