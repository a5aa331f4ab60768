namespace MlNetMnist.Training;

/// <summary>
/// Outlier exposure (Hendrycks, Mazeika and Dietterich, ICLR 2019): while it learns the digits, the
/// network is also shown images that are not one digit and trained to answer them with a flat
/// distribution (the cross-entropy of its softmax against the uniform one, times <see cref="Weight"/>).
/// Its out-of-distribution score (energy and top probability, calibrated on the held-out digits as
/// before) then separates such inputs far better than a network that has only seen digits.
/// <para>
/// The images are made once per <c>Fit</c> from the training rows only (never the validation rows the
/// score is calibrated on), in the MNIST style the service and the saved image chain prepare inputs in
/// (light on dark, the ink's box scaled to 20 pixels and centred by mass): random noise and textures,
/// printed capital letters and symbols rendered from fonts, two or three training digits side by side,
/// and a training digit cut to a part. Needs 28x28 single-channel images (MNIST-style digits).
/// </para>
/// <para>
/// The calibration changes with it too: 1,000 non-digit images of the same kinds, made from the
/// validation rows, decide how the score's statistics share the flag budget (those that tell the
/// non-digits apart get more of it); the held-out digits flagged stay at
/// <see cref="TorchCnnOptions.OutOfDistributionFlagRate"/>. The training log gives the shares.
/// </para>
/// </summary>
/// <param name="Weight">The weight of the outlier term in the loss (default 0.25: over seeds 1-3 it caught about as many non-digits as the paper's 0.5 at half its cost in digit accuracy).</param>
/// <param name="ImagesPerBatch">Non-digit images added to every training batch (default 32).</param>
/// <param name="PoolSize">Non-digit images made before training, drawn from at random for the batches (default 6,000).</param>
/// <param name="FontFiles">
/// TrueType/OpenType files to render the letters and symbols from; null (the default) uses the
/// system's fonts (SkiaSharp's font manager: up to 12 families). When no font can be loaded the
/// letters are left out and the training log says so.
/// </param>
public sealed record OutlierExposure(
    double Weight = 0.25,
    int ImagesPerBatch = 32,
    int PoolSize = 6000,
    IReadOnlyList<string>? FontFiles = null)
{
    /// <summary>The image width and height outlier exposure works at (MNIST's).</summary>
    internal const int Size = 28;

    /// <summary>Equal when every value and every font file (in order) are equal.</summary>
    public bool Equals(OutlierExposure? other) =>
        other is not null && Weight.Equals(other.Weight) && ImagesPerBatch == other.ImagesPerBatch && PoolSize == other.PoolSize
        && (FontFiles ?? []).SequenceEqual(other.FontFiles ?? [], StringComparer.Ordinal);

    /// <summary>A hash of the values and font files.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Weight);
        hash.Add(ImagesPerBatch);
        hash.Add(PoolSize);
        foreach (string file in FontFiles ?? []) hash.Add(file, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}
