namespace MlNetMnist;

/// <summary>
/// The column names every part of MlNetMnist uses unless told otherwise (the names ML.NET's own
/// multiclass trainers and evaluator use). Each options class (<c>TorchCnnOptions</c>,
/// <c>ReportOptions</c>, <c>DigitPredictionServiceOptions</c>, ...) starts from these.
/// </summary>
public static class DefaultColumnNames
{
    /// <summary>The label: <c>Label</c>.</summary>
    public const string Label = "Label";

    /// <summary>The pixel vector: <c>Features</c> (raw values 0-255, channel-major, row-major).</summary>
    public const string Features = "Features";

    /// <summary>The class probabilities: <c>Score</c>.</summary>
    public const string Score = "Score";

    /// <summary>The predicted class, of the label's key type: <c>PredictedLabel</c>.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>
    /// The out-of-distribution score of a calibrated model: <c>OutOfDistributionScore</c>, a vector whose
    /// slot 0 is the score (above 0: the input is unlike the digits the model was calibrated on) and the
    /// next slots the normalised statistics behind it (see <c>OutOfDistributionStatistics.Names</c>).
    /// </summary>
    public const string OutOfDistributionScore = "OutOfDistributionScore";

    /// <summary>The image file path read by <c>DigitImageInput</c>: <c>ImagePath</c>.</summary>
    public const string ImagePath = "ImagePath";
}
