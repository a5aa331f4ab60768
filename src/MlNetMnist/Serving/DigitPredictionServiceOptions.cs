using MlNetMnist.Images;

namespace MlNetMnist.Serving;

/// <summary>Options of <see cref="DigitPredictionService"/> (and, with the model file and reload settings, of each model of a <see cref="DigitModelPool"/>: <see cref="DigitModelOptions"/>).</summary>
public class DigitPredictionServiceOptions
{
    /// <summary>A prediction whose probability is below this needs review (<see cref="DigitPrediction.NeedsReview"/>). Default 0.8.</summary>
    public float ConfidenceThreshold { get; set; } = 0.8f;

    /// <summary>
    /// An image is empty (<see cref="DigitPrediction.EmptyStatus"/>, no label) when its ink contrast
    /// (<see cref="Images.InkMeasure.Contrast"/>: the largest distance in gray levels between the image
    /// smoothed over 3x3 pixels and its background, at the image's own resolution, before any contrast
    /// stretching) is below this. Default 24, measured: the faintest of the 60,000 MNIST training digits
    /// has 97.8 (of the 10,000 test digits 109.4); blank images have 0 (white, black, transparent, a white
    /// JPEG page), a grey page with scanner-like noise 4.7 and a page with a lighting gradient 9.5. 0 turns the check off.
    /// </summary>
    public float EmptyInkThreshold { get; set; } = DefaultEmptyInkThreshold;

    /// <summary>The default <see cref="EmptyInkThreshold"/>.</summary>
    public const float DefaultEmptyInkThreshold = 24f;

    /// <summary>
    /// Use the model's out-of-distribution score when it has one (a TorchCnn model calibrated on
    /// validation rows): inputs unlike the digits it was calibrated on need review. Default true.
    /// </summary>
    public bool UseOutOfDistributionScore { get; set; } = true;

    /// <summary>Name of the model's out-of-distribution column. Default <c>OutOfDistributionScore</c>.</summary>
    public string OutOfDistributionColumnName { get; set; } = DefaultColumnNames.OutOfDistributionScore;

    /// <summary>How many classes <see cref="DigitPrediction.Top"/> lists. Default 3.</summary>
    public int TopCount { get; set; } = 3;

    /// <summary>Prediction engines kept in the pool for reuse. Default twice the processor count.</summary>
    public int MaximumRetainedEngines { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>
    /// Name of the model's pixel-vector column, or null (the default) for the model's own: the trained
    /// classifier's in-process, the one saved in <c>model.zip</c> by <see cref="DigitPredictionService.Load"/>,
    /// else <c>Features</c>. A name that is set must be a column of the model: a wrong one is an error, never replaced.
    /// </summary>
    public string? FeatureColumnName { get; set; }

    /// <summary>
    /// Name of the model's label input column (a saved <c>MapValueToKey</c> still reads it), or null
    /// (the default) for the model's own, else <c>Label</c>. A model without that column needs none.
    /// </summary>
    public string? LabelColumnName { get; set; }

    /// <summary>Name of the model's probability column. Default <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = DefaultColumnNames.Score;

    /// <summary>
    /// The shape of the model's input images, or null (the default) to take it from the model: the
    /// trained classifier's own shape in-process, the shape saved in <c>model.zip</c> by
    /// <see cref="DigitPredictionService.Load"/>, else the pixel column's declared dimensions or its size
    /// (784 is 28x28; a square is grayscale; three squares are RGB).
    /// </summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>
    /// How images given to the <c>PredictImage</c> methods are turned into pixels (the size is always the
    /// model's). Default: MNIST-style centring by mass and automatic inversion of dark-on-light images.
    /// </summary>
    public DigitPreprocessingOptions Preprocessing { get; set; } = new();

    /// <summary>
    /// ONNX Runtime threads for the model that <see cref="DigitPredictionService.Load"/> reads from
    /// <c>model.zip</c> (see <see cref="OnnxRuntimeThreads"/>). Null: all physical cores. A service
    /// built from an already loaded model uses whatever its context was given.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not valid.</summary>
    public virtual void Validate()
    {
        if (!(ConfidenceThreshold >= 0 && ConfidenceThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ConfidenceThreshold), ConfidenceThreshold, "DigitPredictionServiceOptions.ConfidenceThreshold must be in [0, 1].");
        if (!(EmptyInkThreshold >= 0 && float.IsFinite(EmptyInkThreshold)))
            throw new ArgumentOutOfRangeException(nameof(EmptyInkThreshold), EmptyInkThreshold, "DigitPredictionServiceOptions.EmptyInkThreshold must be 0 or more.");
        if (TopCount < 1) throw new ArgumentOutOfRangeException(nameof(TopCount), TopCount, "DigitPredictionServiceOptions.TopCount must be at least 1.");
        if (MaximumRetainedEngines < 1)
            throw new ArgumentOutOfRangeException(nameof(MaximumRetainedEngines), MaximumRetainedEngines, "DigitPredictionServiceOptions.MaximumRetainedEngines must be at least 1.");
        foreach (var (name, value) in new[] { (nameof(FeatureColumnName), FeatureColumnName), (nameof(LabelColumnName), LabelColumnName) })
            if (value is not null && string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"DigitPredictionServiceOptions.{name} is empty; give a column name, or null for the model's own.", name);
        if (string.IsNullOrWhiteSpace(ScoreColumnName))
            throw new ArgumentException("DigitPredictionServiceOptions.ScoreColumnName is empty.", nameof(ScoreColumnName));
        ArgumentNullException.ThrowIfNull(Preprocessing, nameof(Preprocessing));
    }
}
