namespace MlNetMnist.Images;

/// <summary>Options of <see cref="DigitImagePreprocessor"/>.</summary>
public sealed class DigitPreprocessingOptions
{
    /// <summary>Width of the output in pixels. Default 28.</summary>
    public int Width { get; set; } = 28;

    /// <summary>Height of the output in pixels. Default 28.</summary>
    public int Height { get; set; } = 28;

    /// <summary>
    /// Centre the digit the way MNIST was made: bring the image to <see cref="WorkingSize"/>, choose its
    /// polarity, separate ink from paper (noise, texture and JPEG ringing below a quarter of the strongest
    /// ink are paper), crop to the digit's bounding box, scale it (keeping its aspect ratio) so that its
    /// longer side is <see cref="BoxSize"/> pixels, and place it so that its centre of mass is at the
    /// centre of the output. Default true. When false, the whole image is resized (area averaging) to
    /// <see cref="Width"/> x <see cref="Height"/> (and inverted when its border is light, with
    /// <see cref="InputPolarity.AutoInvert"/>).
    /// </summary>
    public bool CentreByMass { get; set; } = true;

    /// <summary>Longer side of the scaled digit when centring. Default 20 (MNIST).</summary>
    public int BoxSize { get; set; } = 20;

    /// <summary>
    /// <see cref="InputPolarity.AutoInvert"/> (the default): an image whose border is light on average is
    /// inverted, so the output is always light ink on a dark background like MNIST.
    /// <see cref="InputPolarity.AsIs"/>: the gray values are kept.
    /// </summary>
    public InputPolarity Polarity { get; set; } = InputPolarity.AutoInvert;

    /// <summary>
    /// When centring: a pixel belongs to the digit's bounding box when its contrast-stretched value is
    /// above this fraction of full ink. Default 0.2.
    /// </summary>
    public float InkThreshold { get; set; } = 0.2f;

    /// <summary>
    /// When centring, the image is first scaled (keeping its aspect ratio) so that its longer side is this
    /// many pixels, as the saved image chain does (ML.NET's <c>ResizeImages</c> with <c>IsoPad</c>): a small
    /// digit on a large canvas keeps its detail, and small images are enlarged before their ink is
    /// separated from the paper. 0 works at the image's own resolution. Default 128.
    /// </summary>
    public int WorkingSize { get; set; } = DefaultWorkingSize;

    /// <summary>The default <see cref="WorkingSize"/>.</summary>
    public const int DefaultWorkingSize = 128;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Width < 1 || Height < 1)
            throw new ArgumentOutOfRangeException(nameof(Width), $"DigitPreprocessingOptions size {Width}x{Height} is not valid.");
        if (BoxSize < 1 || BoxSize > Math.Min(Width, Height))
            throw new ArgumentOutOfRangeException(nameof(BoxSize), BoxSize, $"DigitPreprocessingOptions.BoxSize must be from 1 to {Math.Min(Width, Height)}.");
        if (!(InkThreshold > 0 && InkThreshold < 1))
            throw new ArgumentOutOfRangeException(nameof(InkThreshold), InkThreshold, "DigitPreprocessingOptions.InkThreshold must be in (0, 1).");
        if (WorkingSize != 0 && (WorkingSize < Math.Max(Width, Height) || WorkingSize > 1024))
            throw new ArgumentOutOfRangeException(nameof(WorkingSize), WorkingSize, $"DigitPreprocessingOptions.WorkingSize must be 0 or from {Math.Max(Width, Height)} to 1024.");
    }

    /// <summary>The centring these options describe.</summary>
    internal MnistCentringSpec ToSpec() => new(Width, Height, BoxSize, Polarity == InputPolarity.AutoInvert, InkThreshold);

    /// <summary>A copy of these options.</summary>
    public DigitPreprocessingOptions Clone() => (DigitPreprocessingOptions)MemberwiseClone();
}
