using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Random affine distortions applied to whole training batches in tensors (no per-sample loop):
/// each image gets its own rotation, scale and shift, sampled with bilinear interpolation; pixels
/// that come from outside the image are 0 (the MNIST background).
/// </summary>
/// <param name="MaxRotationDegrees">Rotation drawn uniformly from +/- this many degrees.</param>
/// <param name="MaxScale">Scale drawn uniformly from 1 +/- this fraction.</param>
/// <param name="MaxShiftPixels">Horizontal and vertical shift drawn uniformly from +/- this many pixels.</param>
public sealed record BatchAugmentation(double MaxRotationDegrees = 10, double MaxScale = 0.1, double MaxShiftPixels = 2)
{
    /// <summary>Distorts <paramref name="flat"/> (<c>[N, C*H*W]</c> raw pixels) and returns a tensor of the same shape.</summary>
    internal Tensor Apply(Tensor flat, int channels, int height, int width, Generator generator)
    {
        long n = flat.shape[0];
        var device = flat.device;
        var images = flat.view(n, channels, height, width);

        // uniform_ takes plain doubles: no implicit TorchSharp Scalars (see TorchTrainer.RunEpoch).
        Tensor Uniform(double from, double to) => empty(n).uniform_(from, to, generator).to(device);
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
        return warped.reshape(n, channels * height * width);
    }
}
