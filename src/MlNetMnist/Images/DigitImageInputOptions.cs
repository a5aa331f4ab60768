using Microsoft.ML.Transforms.Image;

namespace MlNetMnist.Images;

/// <summary>
/// Options of the image-input chain built by
/// <see cref="DigitImageCatalog.DigitImageInput(Microsoft.ML.TransformsCatalog, DigitImageInputOptions?)"/>:
/// where the images come from and the size of the pixel vector it produces.
/// </summary>
public sealed class DigitImageInputOptions
{
    /// <summary>Default name of the image column (loaded, or given in memory).</summary>
    public const string DefaultImageColumnName = "Image";

    /// <summary>
    /// Text column of image file paths (PNG, JPEG, BMP, ...), loaded with ML.NET's <c>LoadImages</c>.
    /// Null: the input already has an in-memory image column (<see cref="Microsoft.ML.Data.MLImage"/>)
    /// called <see cref="ImageColumnName"/>. Default <c>ImagePath</c>.
    /// </summary>
    public string? ImagePathColumnName { get; set; } = DefaultColumnNames.ImagePath;

    /// <summary>The image column: made by loading the paths, or given in memory. Default <c>Image</c>.</summary>
    public string ImageColumnName { get; set; } = DefaultImageColumnName;

    /// <summary>
    /// The output: a known-size vector of <c>Width * Height</c> raw gray values 0-255, row-major
    /// (<c>3 * Width * Height</c> with <see cref="KeepColor"/>: the red, then green, then blue plane). Default <c>Features</c>.
    /// </summary>
    public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

    /// <summary>Folder that relative paths are resolved against; null uses them as they are.</summary>
    public string? ImageFolder { get; set; }

    /// <summary>Width of the network input in pixels. Default 28.</summary>
    public int Width { get; set; } = 28;

    /// <summary>Height of the network input in pixels. Default 28.</summary>
    public int Height { get; set; } = 28;

    /// <summary>
    /// How an image of another shape is fitted into <see cref="Width"/> x <see cref="Height"/>. Default
    /// <see cref="ImageResizingEstimator.ResizingKind.Fill"/> (stretch; keeps every pixel, and the border
    /// that polarity detection looks at stays the image's own background).
    /// </summary>
    public ImageResizingEstimator.ResizingKind Resizing { get; set; } = ImageResizingEstimator.ResizingKind.Fill;

    /// <summary>
    /// Keep the colour: no conversion to grayscale, and the pixels extracted as three planes of
    /// row-major pixels, red then green then blue (raw 0-255; ML.NET's <c>ExtractPixels</c> with
    /// <c>interleavePixelColors: false</c>), for networks trained on RGB images (3 x height x width).
    /// Default false: one grayscale plane, as MNIST.
    /// </summary>
    public bool KeepColor { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not valid.</summary>
    public void Validate()
    {
        if (ImagePathColumnName is not null && string.IsNullOrWhiteSpace(ImagePathColumnName))
            throw new ArgumentException("DigitImageInputOptions.ImagePathColumnName is empty; use null for in-memory images.");
        if (string.IsNullOrWhiteSpace(ImageColumnName)) throw new ArgumentException("DigitImageInputOptions.ImageColumnName is empty.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName)) throw new ArgumentException("DigitImageInputOptions.FeatureColumnName is empty.");
        if (Width < 1 || Height < 1)
            throw new ArgumentOutOfRangeException(nameof(Width), $"DigitImageInputOptions size {Width}x{Height} is not valid; expected at least 1x1.");
        if (FeatureColumnName == ImageColumnName || FeatureColumnName == ImagePathColumnName)
            throw new ArgumentException($"DigitImageInputOptions: the features column '{FeatureColumnName}' must differ from the image and path columns.");
    }

    /// <summary>A copy of these options.</summary>
    public DigitImageInputOptions Clone() => (DigitImageInputOptions)MemberwiseClone();
}
