using Microsoft.ML.Data;

namespace MlNetMnist.Images;

/// <summary>
/// Pre-processing of digit images into the pixels a model reads, in C#: grayscale, light-on-dark
/// polarity, and (by default) MNIST-style centring (the digit's bounding box scaled to 20x20 keeping its
/// aspect ratio, placed in 28x28 with its centre of mass in the middle; see <see cref="DigitPreprocessingOptions"/>).
/// The output is the model's input: <c>Width * Height</c> raw values 0-255, row-major, light ink on a
/// dark background.
/// </summary>
/// <remarks>
/// The same centring is saved inside image models as an ONNX graph (the default of
/// <see cref="DigitImageCatalog.DigitImageInput"/>), so <c>mlContext.Model.Load</c> and image paths read
/// real-world images with ML.NET alone; both are made from one description and give the same pixels up
/// to the resampling of the working resolution (ML.NET's resize against this class's). This class
/// serves models that read pixel vectors (trained on MNIST without image input) and the number reader.
/// Instances are immutable and safe to use from several threads.
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

    /// <summary>
    /// Pre-processes an image and measures its ink (<see cref="InkMeasure"/>) at its own resolution, before
    /// any contrast stretching: centring stretches faint paper noise to full ink, so the ink of a blank
    /// page is measured before it.
    /// </summary>
    internal (float[] Pixels, float Ink) ProcessWithInk(GrayImage image)
    {
        float ink = InkMeasure.Contrast(image.Values, image.Width, image.Height);
        return (Process(image), ink);
    }

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an encoded image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image, or are truncated or corrupt.</exception>
    internal (float[] Pixels, float Ink) ProcessWithInk(ReadOnlySpan<byte> encoded) => ProcessWithInk(GrayImage.Decode(encoded.ToArray()));

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an in-memory image.</summary>
    internal (float[] Pixels, float Ink) ProcessWithInk(MLImage image) => ProcessWithInk(GrayImage.From(image));

    /// <summary><see cref="ProcessWithInk(GrayImage)"/> of an image file; errors name the file.</summary>
    internal (float[] Pixels, float Ink) ProcessFileWithInk(string path) => ProcessWithInk(DecodeFile(path));

    private float[] Process(GrayImage image)
    {
        var o = _options;
        if (o.CentreByMass)
        {
            var working = o.WorkingSize > 0 ? WorkingResolution.Fit(image, o.WorkingSize) : image;
            return MnistCentring.Apply(working, o.ToSpec());
        }
        int ring = MnistCentringSpec.RingWidth(image.Width, image.Height);
        if (o.Polarity == InputPolarity.AutoInvert && image.BorderMean(ring) > MnistCentringSpec.LightBorder) image.Invert();
        return AreaResampler.Resize(image, o.Width, o.Height).Values;
    }
}
