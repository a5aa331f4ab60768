using System.Text.Json.Serialization;

namespace MlNetMnist.Training;

/// <summary>
/// Outlier exposure (after Hendrycks, Mazeika and Dietterich, ICLR 2019): while it learns the digits,
/// the network is also shown images that are not one digit and trained to tell them apart (by default as
/// an eleventh "not a digit" answer: <see cref="OutlierExposureLoss.DigitOrNot"/>; or, as in the paper,
/// towards a flat answer: <see cref="OutlierExposureLoss.Uniform"/>). Its out-of-distribution score
/// (energy and top probability, calibrated on the held-out digits as before) then separates such inputs
/// far better than a network that has only seen digits.
/// <para>
/// The images are made once per <c>Fit</c> from the training rows only (never the validation rows the
/// score is calibrated on), in the MNIST style the service and the saved image chain prepare inputs in
/// (light on dark, the ink's box scaled to 20 pixels and centred by mass): random noise and textures,
/// printed capital letters and symbols rendered from fonts, two or three training digits side by side,
/// and a training digit cut to a part. As many training digits prepared the same way join every batch
/// too, so that the preparation itself is no sign of "not a digit". Needs 28x28 single-channel images
/// (MNIST-style digits).
/// </para>
/// <para>
/// The calibration changes with it too: 1,000 non-digit images of the same kinds, made from the
/// validation rows, decide how the score's statistics share the flag budget (those that tell the
/// non-digits apart get more of it); the held-out digits flagged stay at
/// <see cref="TorchCnnOptions.OutOfDistributionFlagRate"/>, as they are and, counted apart, prepared like
/// user images. The training log gives the shares.
/// </para>
/// <para>
/// It needs a full-length training: on MNIST, 8 epochs on the 60,000 training images caught 95-96% of a
/// suite of unseen non-digits at about 1% of digits flagged (seeds 1-3), 4 epochs on 20,000 images 89-92%.
/// </para>
/// </summary>
/// <param name="Weight">
/// The weight of the outlier term in the loss (default 0.5: with <see cref="OutlierExposureLoss.DigitOrNot"/>,
/// 0.25 caught fewer non-digits and 1.0 no more, at more cost in digit accuracy; for
/// <see cref="OutlierExposureLoss.Uniform"/> 0.25 is the better choice).
/// </param>
/// <param name="ImagesPerBatch">Non-digit images (and as many prepared training digits) added to every training batch (default 32).</param>
/// <param name="PoolSize">Non-digit images made before training, drawn from at random for the batches (default 6,000).</param>
/// <param name="FontFiles">
/// TrueType/OpenType files to render the letters and symbols from; null (the default) uses the
/// system's fonts (SkiaSharp's font manager: up to 12 families). When no font can be loaded the
/// letters are left out and the training log says so.
/// </param>
/// <param name="Loss">
/// What the non-digit images are trained towards: <see cref="OutlierExposureLoss.DigitOrNot"/> (the default:
/// an eleventh "not a digit" answer with a fixed logit, trained on the digits and the non-digits alike) or
/// <see cref="OutlierExposureLoss.Uniform"/> (the paper's flat answer).
/// </param>
public sealed record OutlierExposure(
    double Weight = 0.5,
    int ImagesPerBatch = 32,
    int PoolSize = 6000,
    IReadOnlyList<string>? FontFiles = null,
    // Left out of the JSON when it is Uniform (the enum's zero), so the training fingerprint (and
    // checkpoints) of runs made before the option existed, all of them Uniform, stay the same.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] OutlierExposureLoss Loss = OutlierExposureLoss.DigitOrNot)
{
    /// <summary>The image width and height outlier exposure works at (MNIST's).</summary>
    internal const int Size = 28;

    /// <summary>Equal when every value and every font file (in order) are equal.</summary>
    public bool Equals(OutlierExposure? other) =>
        other is not null && Weight.Equals(other.Weight) && ImagesPerBatch == other.ImagesPerBatch && PoolSize == other.PoolSize
        && Loss == other.Loss && (FontFiles ?? []).SequenceEqual(other.FontFiles ?? [], StringComparer.Ordinal);

    /// <summary>A hash of the values and font files.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Weight);
        hash.Add(ImagesPerBatch);
        hash.Add(PoolSize);
        hash.Add(Loss);
        foreach (string file in FontFiles ?? []) hash.Add(file, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}
