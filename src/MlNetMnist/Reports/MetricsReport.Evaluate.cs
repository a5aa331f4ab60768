using Microsoft.ML;

namespace MlNetMnist.Reports;

public sealed partial record MetricsReport
{
    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/> and builds the full report: ML.NET's
    /// multiclass metrics (numbers identical to <c>mlContext.MulticlassClassification.Evaluate</c>), the
    /// confusion matrix and its most frequent confusions, the misclassified examples with their images,
    /// sample images, the out-of-distribution trade-off (for a model with that score), and — for a model with an <see cref="IImageClassifierModel"/> — its training curves, network and
    /// options. The data is scored once.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="model">A fitted multiclass model, e.g. <c>MapValueToKey + TorchCnn + MapKeyToValue</c>, in process or loaded from a file.</param>
    /// <param name="data">Labelled data with the model's input columns (the label as the model was trained with it).</param>
    /// <param name="options">Columns, example counts, image shape, history and metadata; null for the defaults.</param>
    /// <exception cref="ArgumentException">The scored data lacks the label or score column, or they have the wrong type.</exception>
    public static MetricsReport Evaluate(MLContext ml, ITransformer model, IDataView data, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var resolved = options?.Clone() ?? new ReportOptions();
        var classifier = TransformerChains.FindClassifier(model);
        resolved.ImageShape ??= ImageShape.FromModel(model);
        resolved.SampleData ??= data;
        return ReportBuilder.Build(ml, model.Transform(data), resolved.SampleData, resolved, classifier,
            resolved.NonDigitData is { } nonDigits ? model.Transform(nonDigits) : null);
    }

    /// <summary>
    /// Builds the full report from data a multiclass model has already scored (it has the label, the
    /// <c>Score</c> vector and the feature column). Like <see cref="Evaluate(MLContext, ITransformer, IDataView, ReportOptions?)"/>
    /// but without a model: the image shape comes from <see cref="ReportOptions.ImageShape"/> or the
    /// feature vector's size, and the training curves from <see cref="ReportOptions.History"/>.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="scored">The output of the model's <c>Transform</c>.</param>
    /// <param name="options">Columns, example counts, image shape, history and metadata; null for the defaults.</param>
    public static MetricsReport EvaluateScored(MLContext ml, IDataView scored, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(scored);
        var resolved = options?.Clone() ?? new ReportOptions();
        return ReportBuilder.Build(ml, scored, resolved.SampleData ?? scored, resolved, classifier: null, resolved.NonDigitData);
    }
}
