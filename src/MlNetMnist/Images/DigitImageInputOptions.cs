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
    /// Prepare each image the way MNIST's digits were made, inside the saved model (default true): the
    /// chain resizes the image to <see cref="WorkingSize"/> keeping its aspect ratio (ML.NET's
    /// <c>ResizeImages</c>, <c>IsoPad</c>), extracts its colour and alpha planes, and an ONNX graph run by
    /// ML.NET's <c>OnnxTransformer</c> chooses the polarity, separates ink from paper, crops the digit's
    /// bounding box, scales it (keeping its aspect ratio) to <see cref="BoxSize"/> and places it by its
    /// centre of mass in <see cref="Width"/> x <see cref="Height"/>: digits anywhere on a larger canvas, on
    /// grey, light, textured or coloured paper, dark on light or light on dark, are read like MNIST digits
    /// by <c>mlContext.Model.Load</c> and image paths alone. The same computation as
    /// <see cref="DigitImagePreprocessor"/> (C#). False: the plain chain (grayscale, resize to
    /// <see cref="Width"/> x <see cref="Height"/> by <see cref="Resizing"/>, extract), for images that are
    /// already MNIST-style (centred, 28x28).
    /// </summary>
    public bool CentreByMass { get; set; } = true;

    /// <summary>Side of the square the image is fitted into before centring (higher than the output, so a small digit on a large canvas keeps its detail). Default 128.</summary>
    public int WorkingSize { get; set; } = DigitPreprocessingOptions.DefaultWorkingSize;

    /// <summary>Longer side of the scaled digit when centring. Default 20 (MNIST).</summary>
    public int BoxSize { get; set; } = 20;

    /// <summary>
    /// When centring: <see cref="InputPolarity.AutoInvert"/> (default) inverts images whose border is
    /// light, so the output is always light ink on dark like MNIST; <see cref="InputPolarity.AsIs"/> keeps
    /// the gray values (light ink on dark expected).
    /// </summary>
    public InputPolarity Polarity { get; set; } = InputPolarity.AutoInvert;

    /// <summary>
    /// Without centring: how an image of another shape is fitted into <see cref="Width"/> x <see cref="Height"/>. Default
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
        if (CentreByMass && (WorkingSize < Math.Max(Width, Height) || WorkingSize > 1024))
            throw new ArgumentOutOfRangeException(nameof(WorkingSize), WorkingSize, $"DigitImageInputOptions.WorkingSize must be from {Math.Max(Width, Height)} to 1024.");
        if (CentreByMass && (BoxSize < 1 || BoxSize > Math.Min(Width, Height)))
            throw new ArgumentOutOfRangeException(nameof(BoxSize), BoxSize, $"DigitImageInputOptions.BoxSize must be from 1 to {Math.Min(Width, Height)}.");
        if (FeatureColumnName == ImageColumnName || FeatureColumnName == ImagePathColumnName)
            throw new ArgumentException($"DigitImageInputOptions: the features column '{FeatureColumnName}' must differ from the image and path columns.");
    }

    /// <summary>The centring these options describe.</summary>
    internal MnistCentringSpec ToCentringSpec() => new(Width, Height, BoxSize, Polarity == InputPolarity.AutoInvert);

    /// <summary>The C# pre-processing that computes what this chain computes (for pixel models and tests).</summary>
    internal DigitPreprocessingOptions ToPreprocessingOptions() => new()
    {
        Width = Width, Height = Height, CentreByMass = CentreByMass, BoxSize = CentreByMass ? BoxSize : Math.Min(Math.Min(Width, Height), BoxSize),
        Polarity = CentreByMass ? Polarity : InputPolarity.AsIs, WorkingSize = CentreByMass ? WorkingSize : 0,
    };

    /// <summary>A copy of these options.</summary>
    public DigitImageInputOptions Clone() => (DigitImageInputOptions)MemberwiseClone();
}
