using Microsoft.ML;
using MlNetMnist.Training;

namespace MlNetMnist.Reports;

/// <summary>
/// Options of <see cref="MetricsReport.Evaluate(MLContext, ITransformer, IDataView, ReportOptions?)"/>:
/// the columns to read, how many misclassified examples and sample images to keep, and what to say
/// about the model and the data.
/// </summary>
public sealed class ReportOptions
{
    /// <summary>The label column: a key type (as after <c>MapValueToKey</c>) or <see cref="float"/> class indices. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = DefaultColumnNames.Label;

    /// <summary>The score column: a known-size vector with one score per class. Default <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = DefaultColumnNames.Score;

    /// <summary>The predicted-label column (used only to find class names). Default <c>PredictedLabel</c>.</summary>
    public string PredictedLabelColumnName { get; set; } = DefaultColumnNames.PredictedLabel;

    /// <summary>The feature column: a known-size vector of raw pixel values 0-255, row-major. Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

    /// <summary>The k of the top-k accuracy (capped at the number of classes); 0 for none. Default 5.</summary>
    public int TopK { get; set; } = 5;

    /// <summary>How many of the most frequent confusions get example images. Default 10.</summary>
    public int ConfusionsWithExamples { get; set; } = 10;

    /// <summary>Example images kept for each of those confusions (the most confident ones). Default 8.</summary>
    public int ExamplesPerConfusion { get; set; } = 8;

    /// <summary>Further misclassified examples kept: the most confident errors of any kind. Default 48.</summary>
    public int MostConfidentErrors { get; set; } = 48;

    /// <summary>Images of the sample grid, read from the start of <see cref="SampleData"/>. Default 40.</summary>
    public int SampleImageCount { get; set; } = 40;

    /// <summary>
    /// Labelled data for the sample grid (typically the training data; its label may be of any type,
    /// e.g. the raw values before <c>MapValueToKey</c>). Null, or data without the feature column (when
    /// the pipeline computes the features, e.g. from image files), uses the evaluated data.
    /// </summary>
    public IDataView? SampleData { get; set; }

    /// <summary>Shape of the images in the feature vector. Null takes it from the model's network, else infers it from the vector size (784 is 28x28).</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>Training history for the training curves. Null takes the model's own (<see cref="IImageClassifierModel.History"/>) when it has one.</summary>
    public TrainingHistory? History { get; set; }

    /// <summary>
    /// The temperature the model divides its logits by, to also report the calibration error before
    /// temperature scaling. Null takes it from the model (a TorchCnn model's calibration) or from the
    /// <c>Temperature</c> entry of <see cref="Metadata"/> (a model file's ONNX metadata).
    /// </summary>
    public double? Temperature { get; set; }

    /// <summary>
    /// Title, date, model and data description. Null makes one with the date, the library version and,
    /// for a model with an <see cref="IImageClassifierModel"/>, its network and options. Given metadata whose
    /// <see cref="ReportMetadata.Model"/> is empty gets those model entries too.
    /// </summary>
    public ReportMetadata? Metadata { get; set; }

    /// <summary>
    /// The out-of-distribution column of a calibrated model: a vector whose first slot is the score (above 0:
    /// flagged). When the scored data has it, the report gives the trade-off of flagged digits against caught
    /// non-digits (<see cref="MetricsReport.OutOfDistribution"/>). Default <c>OutOfDistributionScore</c>.
    /// </summary>
    public string OutOfDistributionColumnName { get; set; } = DefaultColumnNames.OutOfDistributionScore;

    /// <summary>
    /// Images known not to be digits (noise, letters, several digits...), with the model's input columns, for
    /// the out-of-distribution trade-off: <see cref="MetricsReport.Evaluate(MLContext, ITransformer, IDataView, ReportOptions?)"/>
    /// scores them with the model; for <see cref="MetricsReport.EvaluateScored"/> they must be scored already
    /// (the model's output on them). Null: the trade-off gives the digits flagged only.
    /// </summary>
    public IDataView? NonDigitData { get; set; }

    /// <summary>What <see cref="NonDigitData"/> holds, shown with the trade-off (e.g. "1,000 images: noise, textures, printed letters...").</summary>
    public string? NonDigitDescription { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not valid.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(LabelColumnName), LabelColumnName), (nameof(ScoreColumnName), ScoreColumnName), (nameof(FeatureColumnName), FeatureColumnName), (nameof(OutOfDistributionColumnName), OutOfDistributionColumnName) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"ReportOptions.{name} is empty.", name);
        foreach (var (name, value) in new[] { (nameof(TopK), TopK), (nameof(ConfusionsWithExamples), ConfusionsWithExamples), (nameof(ExamplesPerConfusion), ExamplesPerConfusion),
                     (nameof(MostConfidentErrors), MostConfidentErrors), (nameof(SampleImageCount), SampleImageCount) })
            if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"ReportOptions.{name} is {value}; expected 0 or more.");
    }

    /// <summary>A shallow copy.</summary>
    internal ReportOptions Clone() => (ReportOptions)MemberwiseClone();
}
