namespace MlNetMnist.Images;

/// <summary>
/// MNIST-style preparation of a digit image, described by value: the C# implementation
/// (<see cref="MnistCentring"/>, used by <see cref="DigitImagePreprocessor"/>) and the ONNX graph saved
/// inside image models (<c>Onnx/OnnxCentringEmitter</c>) are both made from this one description, so
/// they compute the same pixels.
/// </summary>
/// <remarks>
/// The steps, on a gray image (0-255) at the working resolution:
/// <list type="number">
/// <item>polarity: the mean of the image's border ring (<c>max(1, round(min(w, h) / 14))</c> pixels wide)
/// above 127.5 means a light background, and the image is inverted (when <see cref="AutoInvert"/>);</item>
/// <item>ink: how far each pixel is above that background level, stretched so that the strongest ink
/// (the maximum of a 3x3 box blur, so a single noisy pixel does not count) is full; a level below
/// <see cref="NoiseFloor"/> of full ink is paper (noise, texture, JPEG ringing), one above
/// <see cref="FullInk"/> is full ink, with a linear ramp between (the binarised look of NIST's scans,
/// kept smooth at the working resolution);</item>
/// <item>the digit's region: where the ink density (a <see cref="RegionKernel"/>-wide box blur) is above
/// <see cref="RegionThreshold"/> of its highest value, widened by <see cref="RegionKernel"/>; ink outside it
/// (scattered noise, stray marks away from the digit) is paper;</item>
/// <item>specks: a pixel whose <see cref="SpeckKernel"/>-wide box blur is not above <see cref="SpeckThreshold"/> of
/// full ink is paper (isolated noise pixels, salt and pepper, including specks that the fit to the
/// working resolution has spread over 2x2 pixels; a one-pixel line through a 5x5 box keeps a fifth,
/// a two-pixel one two fifths);</item>
/// <item>isolated specks: a pixel whose <see cref="IsolationKernel"/>-wide box blur is not above <see cref="IsolationThreshold"/> of
/// full ink is paper (a cluster of two or three noise pixels that the fit to the working resolution has
/// enlarged fills a 5x5 box but not an 11x11 one; a two-pixel line through an 11x11 box keeps 18%);</item>
/// <item>the bounding box of the pixels whose 3x3 box blur is above <see cref="InkThreshold"/> of full ink;</item>
/// <item>that box scaled by area averaging, keeping its aspect ratio, so that its longer side is
/// <see cref="BoxSize"/>, and placed in <see cref="Width"/> x <see cref="Height"/> with its centre of mass
/// (rounded to whole pixels) at the centre, as MNIST's makers did.</item>
/// </list>
/// An image whose strongest ink is less than <see cref="BlankContrast"/> grey levels above its background
/// gives all zeros.
/// </remarks>
/// <param name="Width">Output width (28).</param>
/// <param name="Height">Output height (28).</param>
/// <param name="BoxSize">Longer side of the scaled digit (20).</param>
/// <param name="AutoInvert">Invert images with a light border.</param>
/// <param name="InkThreshold">Fraction of full ink above which a (blurred) pixel belongs to the digit's box.</param>
/// <param name="NoiseFloor">Fraction of full ink below which a pixel is paper.</param>
/// <param name="FullInk">Fraction of full ink above which a pixel is full ink.</param>
/// <param name="BlankContrast">Least contrast, in grey levels, of an image that is not blank.</param>
/// <param name="SpeckThreshold">Fraction of full ink that a pixel's <see cref="SpeckKernel"/>-wide box blur must exceed for the pixel to stay ink.</param>
/// <param name="SpeckKernel">Size (odd) of the box blur that tells specks from strokes.</param>
/// <param name="RegionKernel">Size (odd) of the box blur that measures ink density, and of the widening of the dense region.</param>
/// <param name="RegionThreshold">Fraction of the highest ink density above which a pixel is in the digit's region.</param>
/// <param name="IsolationKernel">Size (odd) of the wider box blur that tells isolated specks (enlarged noise clusters) from strokes.</param>
/// <param name="IsolationThreshold">Fraction of full ink that a pixel's <see cref="IsolationKernel"/>-wide box blur must exceed for the pixel to stay ink.</param>
internal sealed record MnistCentringSpec(int Width = 28, int Height = 28, int BoxSize = 20, bool AutoInvert = true,
    float InkThreshold = 0.2f, float NoiseFloor = 0.25f, float FullInk = 0.6f, float BlankContrast = 8f, float SpeckThreshold = 0.24f,
    int RegionKernel = 9, float RegionThreshold = 0.25f, int SpeckKernel = 5, int IsolationKernel = 11, float IsolationThreshold = 0.08f)
{
    /// <summary>Border mean above which an image is taken as dark ink on light paper.</summary>
    public const float LightBorder = 127.5f;

    /// <summary>The ring width for an image (or valid region) of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static int RingWidth(int width, int height) => Math.Max(1, (int)Math.Round(Math.Min(width, height) / 14.0));
}
