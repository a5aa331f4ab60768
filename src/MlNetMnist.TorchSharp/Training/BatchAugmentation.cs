using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Random distortions applied to whole training batches in tensors (no per-sample loop). In order:
/// each image's strokes are thickened or thinned (<see cref="MaxStrokeChangePixels"/>; off by default),
/// then it gets its own rotation, scale and shift, sampled with bilinear interpolation (pixels that come
/// from outside the image are 0, the MNIST background), then impulse noise (<see cref="MaxSaltAndPepperFraction"/>;
/// off by default). Every random number comes from the generator the trainer passes (its augmentation
/// state), so the same seed gives the same batches; the labels are not touched.
/// </summary>
/// <param name="MaxRotationDegrees">Rotation drawn uniformly from +/- this many degrees.</param>
/// <param name="MaxScale">Scale drawn uniformly from 1 +/- this fraction.</param>
/// <param name="MaxShiftPixels">Horizontal and vertical shift drawn uniformly from +/- this many pixels.</param>
/// <param name="MaxStrokeChangePixels">
/// Stroke-width change drawn per image uniformly from +/- this many pixels on each side of a stroke,
/// 0 to 2 (default 0: off). A positive draw d thickens the strokes by d pixels each side: grey-level
/// dilation (the 3x3 maximum for 1 pixel, applied twice for 2), blended linearly for a fraction; a
/// negative draw thins them likewise by erosion (the minimum). Applied before the affine distortion,
/// at the image's own resolution.
/// </param>
/// <param name="MaxSaltAndPepperFraction">
/// Impulse noise: per image a fraction drawn uniformly from [0, this] of the pixels is set to the
/// background (0) or to the batch's brightest value (255 for MNIST), half each (default 0: off).
/// Applied last.
/// </param>
public sealed record BatchAugmentation(
    double MaxRotationDegrees = 10,
    double MaxScale = 0.1,
    double MaxShiftPixels = 2,
    // Left out of the JSON when off, so the training fingerprint (and checkpoints) of the earlier
    // rotation/scale/shift-only augmentation stay the same.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double MaxStrokeChangePixels = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] double MaxSaltAndPepperFraction = 0)
{
    /// <summary>Distorts <paramref name="flat"/> (<c>[N, C*H*W]</c> raw pixels) and returns a tensor of the same shape.</summary>
    internal Tensor Apply(Tensor flat, int channels, int height, int width, Generator generator)
    {
        using var scope = NewDisposeScope();
        long n = flat.shape[0];
        var device = flat.device;
        var images = flat.view(n, channels, height, width);

        // uniform_ takes plain doubles: no implicit TorchSharp Scalars (see TorchTrainer.RunEpoch).
        // The draws are made in a fixed order, and only for the distortions that are on, so turning the
        // stroke and noise options on leaves the rotation/scale/shift draws of a seed where they were.
        Tensor Uniform(double from, double to) => empty(n).uniform_(from, to, generator).to(device);
        if (MaxStrokeChangePixels > 0)
            images = ChangeStrokes(images, Uniform(-MaxStrokeChangePixels, MaxStrokeChangePixels).view(n, 1, 1, 1));

        double maxAngle = MaxRotationDegrees * Math.PI / 180;
        var angle = Uniform(-maxAngle, maxAngle);
        var scale = Uniform(1 - MaxScale, 1 + MaxScale);
        // affine_grid works in normalised coordinates [-1, 1]: one pixel is 2 / size.
        var tx = Uniform(-MaxShiftPixels * 2.0 / width, MaxShiftPixels * 2.0 / width);
        var ty = Uniform(-MaxShiftPixels * 2.0 / height, MaxShiftPixels * 2.0 / height);
        var cos = angle.cos() / scale;
        var sin = angle.sin() / scale;
        var theta = stack(new[] { cos, -sin, tx, sin, cos, ty }, 1).view(n, 2, 3);
        var grid = nn.functional.affine_grid(theta, new long[] { n, channels, height, width }, align_corners: false);
        var warped = nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);

        if (MaxSaltAndPepperFraction > 0)
            warped = SaltAndPepper(warped, Uniform(0, MaxSaltAndPepperFraction).view(n, 1, 1, 1), generator);
        return warped.reshape(n, channels * height * width).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Changes each image's strokes by <paramref name="change"/> (<c>[N, 1, 1, 1]</c>, in [-2, 2]) pixels on
    /// each side: positive towards its 3x3 dilation (one pixel) and then its 5x5 dilation (two pixels),
    /// negative towards the 3x3 and 5x5 erosions; a fraction blends linearly between those steps.
    /// </summary>
    internal static Tensor ChangeStrokes(Tensor images, Tensor change)
    {
        // Dilation of light ink on a dark background is the neighbourhood maximum; erosion is minus the
        // maximum of minus the image. max_pool2d pads with -infinity, so the border never wins either way.
        var dilated1 = nn.functional.max_pool2d(images, 3, 1, 1);
        var dilated2 = nn.functional.max_pool2d(dilated1, 3, 1, 1);
        var negative = images.neg();
        var eroded1 = nn.functional.max_pool2d(negative, 3, 1, 1).neg();
        var eroded2 = nn.functional.max_pool2d(eroded1.neg(), 3, 1, 1).neg();
        using var zero = 0.0.ToScalar();
        using var one = 1.0.ToScalar();
        var up = change.clamp(zero, one);
        var up2 = (change - one).clamp(zero, one);
        var down = change.neg().clamp(zero, one);
        var down2 = (change.neg() - one).clamp(zero, one);
        return images + up * (dilated1 - images) + up2 * (dilated2 - dilated1)
            + down * (eroded1 - images) + down2 * (eroded2 - eroded1);
    }

    /// <summary>Sets a fraction <paramref name="fraction"/> (<c>[N, 1, 1, 1]</c>) of each image's pixels to 0 or the batch maximum, half each.</summary>
    private static Tensor SaltAndPepper(Tensor images, Tensor fraction, Generator generator)
    {
        var device = images.device;
        var hit = empty(images.shape).uniform_(0.0, 1.0, generator).to(device).lt(fraction);
        using var half = 0.5.ToScalar();
        var salt = empty(images.shape).uniform_(0.0, 1.0, generator).to(device).lt(half);
        var white = images.max().expand_as(images);
        var black = zeros_like(images);
        return where(hit, where(salt, white, black), images);
    }
}
