using Microsoft.ML.Data;

namespace MlNetMnist.Images;

/// <summary>
/// Optional pre-processing of digit images before they are handed to a model as pixels: grayscale,
/// light-on-dark polarity, and (by default) centring the way the MNIST digits were made (the digit's
/// bounding box scaled to 20x20 keeping its aspect ratio, then placed in 28x28 with its centre of mass
/// in the middle). The output is the model's input: <c>Width * Height</c> raw values 0-255, row-major,
/// light ink on a dark background.
/// </summary>
/// <remarks>
/// This step is not part of a saved <c>model.zip</c>: ML.NET has no saveable transform that crops to a
/// bounding box or shifts by the centre of mass, and a third-party transform cannot be saved (see the
/// README). Applications that get digits which are not already centred (a drawing pad, a cropped form
/// field) call it before scoring; the saveable image chain
/// (<see cref="DigitImageCatalog.DigitImageInput"/>) only converts, resizes and extracts. Instances are
/// immutable and safe to use from several threads.
/// </remarks>
public sealed class DigitImagePreprocessor
{
    private readonly DigitPreprocessingOptions _options;

    /// <summary>Creates a pre-processor; the options are copied and validated.</summary>
    /// <param name="options">Size, centring and polarity; null for MNIST's (28x28, centred, auto-inverted).</param>
    public DigitImagePreprocessor(DigitPreprocessingOptions? options = null)
    {
        _options = (options ?? new DigitPreprocessingOptions()).Clone();
        _options.Validate();
    }

    /// <summary>A copy of the options in use.</summary>
    public DigitPreprocessingOptions Options => _options.Clone();

    /// <summary>Number of values <see cref="Process(MLImage)"/> returns, <c>Width * Height</c>.</summary>
    public int OutputSize => _options.Width * _options.Height;

    /// <summary>Pre-processes an in-memory image (ML.NET reads its pixels through SkiaSharp 2.x; see the README).</summary>
    /// <param name="image">The image, of any size; colour and transparency are allowed (transparent parts count as white paper).</param>
    /// <returns><see cref="OutputSize"/> raw values 0-255, row-major, light ink on dark.</returns>
    public float[] Process(MLImage image) => Process(GrayImage.From(image));

    /// <summary>Decodes and pre-processes an encoded image (PNG, JPEG, BMP, GIF, WEBP).</summary>
    /// <param name="encoded">The file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image the decoder reads.</exception>
    public float[] Process(ReadOnlySpan<byte> encoded) => Process(GrayImage.Decode(encoded.ToArray()));

    /// <summary>Reads, decodes and pre-processes an image file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image the decoder reads; the message names it.</exception>
    public float[] ProcessFile(string path) => Process(DecodeFile(path));

    private static GrayImage DecodeFile(string path)
    {
        byte[] bytes = DigitImages.ReadFile(path, out string full);
        try
        {
            return GrayImage.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    /// <summary>Pre-processes a grayscale image given as values 0-255, row-major.</summary>
    /// <param name="gray">The gray values.</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public float[] ProcessGray(ReadOnlySpan<float> gray, int width, int height) =>
        Process(new GrayImage(width, height, gray.ToArray()));

    private float[] Process(GrayImage image) => ProcessWithInk(image).Pixels;

    /// <summary>
    /// Pre-processes an image and measures its ink (<see cref="InkMeasure"/>) at its own resolution, before
    /// any contrast stretching: centring stretches faint paper noise to full ink, so the ink of a blank
    /// page is measured before it.
    /// </summary>
    internal (float[] Pixels, float Ink) ProcessWithInk(GrayImage image)
    {
        var o = _options;
        int ring = Math.Max(1, (int)Math.Round(Math.Min(image.Width, image.Height) / 14.0));
        if (o.Polarity == InputPolarity.AutoInvert && image.BorderMean(ring) > 127.5f) image.Invert();
        float ink = InkMeasure.Contrast(image.Values, image.Width, image.Height);
        return (o.CentreByMass ? Centre(image, ring) : AreaResampler.Resize(image, o.Width, o.Height).Values, ink);
    }

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an encoded image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image, or are truncated or corrupt.</exception>
    internal (float[] Pixels, float Ink) ProcessWithInk(ReadOnlySpan<byte> encoded) => ProcessWithInk(GrayImage.Decode(encoded.ToArray()));

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an in-memory image.</summary>
    internal (float[] Pixels, float Ink) ProcessWithInk(MLImage image) => ProcessWithInk(GrayImage.From(image));

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an image file; errors name the file.</summary>
    internal (float[] Pixels, float Ink) ProcessFileWithInk(string path) => ProcessWithInk(DecodeFile(path));

    private float[] Centre(GrayImage image, int ring)
    {
        var o = _options;
        var output = new float[o.Width * o.Height];

        // Background to 0, strongest ink to 255: photos and scans have grey paper and faint strokes.
        float background = image.BorderMean(ring);
        float peak = image.Values.Max();
        if (peak - background < 8f) return output; // blank
        float gain = 255f / (peak - background);
        var v = image.Values;
        for (int i = 0; i < v.Length; i++) v[i] = Math.Clamp((v[i] - background) * gain, 0f, 255f);

        if (!TryBoundingBox(image, o.InkThreshold * 255f, out int left, out int top, out int right, out int bottom)) return output;
        int boxWidth = right - left + 1, boxHeight = bottom - top + 1;
        double scale = (double)o.BoxSize / Math.Max(boxWidth, boxHeight);
        int scaledWidth = Math.Clamp((int)Math.Round(boxWidth * scale), 1, o.BoxSize);
        int scaledHeight = Math.Clamp((int)Math.Round(boxHeight * scale), 1, o.BoxSize);
        var digit = AreaResampler.Resize(image.Crop(left, top, boxWidth, boxHeight), scaledWidth, scaledHeight);

        // Centre of mass (pixel-index coordinates) to the middle of the output, by a whole-pixel shift as MNIST did.
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < digit.Height; y++)
            for (int x = 0; x < digit.Width; x++)
            {
                float w = digit[x, y];
                mass += w;
                mx += w * x;
                my += w * y;
            }
        if (mass <= 0) return output;
        int offsetX = (int)Math.Round(o.Width / 2.0 - mx / mass);
        int offsetY = (int)Math.Round(o.Height / 2.0 - my / mass);
        for (int y = 0; y < digit.Height; y++)
        {
            int ty = y + offsetY;
            if (ty < 0 || ty >= o.Height) continue;
            for (int x = 0; x < digit.Width; x++)
            {
                int tx = x + offsetX;
                if (tx >= 0 && tx < o.Width) output[ty * o.Width + tx] = Math.Clamp(digit[x, y], 0f, 255f);
            }
        }
        return output;
    }

    private static bool TryBoundingBox(GrayImage image, float threshold, out int left, out int top, out int right, out int bottom)
    {
        left = image.Width;
        top = image.Height;
        right = -1;
        bottom = -1;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                if (image[x, y] <= threshold) continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = Math.Max(bottom, y);
            }
        return right >= 0;
    }
}
