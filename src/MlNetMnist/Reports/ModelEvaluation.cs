using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>ML.NET's multiclass metrics of a model on labelled data, with the per-class report made from them.</summary>
/// <param name="Metrics">What <c>mlContext.MulticlassClassification.Evaluate</c> returned.</param>
/// <param name="Report">The same numbers per class, with the class names (<see cref="MetricsReport.Create(MulticlassClassificationMetrics, DataViewSchema, string, string, string)"/>).</param>
public sealed record ModelEvaluation(MulticlassClassificationMetrics Metrics, MetricsReport Report)
{
    /// <summary>The k of the top-k accuracy by default (ML.NET's examples use 5).</summary>
    public const int DefaultTopK = 5;

    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/> and evaluates it with ML.NET's
    /// multiclass evaluator. A model loaded from <c>model.zip</c> scores without class names; they are
    /// put back (<see cref="ClassNames.WithScoreSlotNames"/>) so that the confusion table's rows and
    /// columns are labelled with the right classes. The top-k accuracy's k is capped at the number of
    /// classes (ML.NET refuses a larger one).
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="model">A fitted or loaded multiclass model.</param>
    /// <param name="data">Labelled data with the model's input columns.</param>
    /// <param name="topK">The k of the top-k accuracy. Default <see cref="DefaultTopK"/>.</param>
    /// <param name="temperatureOfModel">
    /// The temperature the model divides its logits by, to also report the calibration error before
    /// scaling (<see cref="MetricsReport.Calibration"/>); null takes it from an in-process TorchCnn model.
    /// </param>
    public static ModelEvaluation Evaluate(MLContext ml, ITransformer model, IDataView data, int topK = DefaultTopK, double? temperatureOfModel = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var scored = ClassNames.WithScoreSlotNames(model.Transform(data));
        int classes = scored.Schema.GetColumnOrNull(DefaultColumnNames.Score)?.Type is VectorDataViewType { Size: > 0 } score ? score.Size : topK;
        var cached = ml.Data.Cache(scored);
        var metrics = ml.MulticlassClassification.Evaluate(cached, topKPredictionCount: Math.Min(topK, classes));
        var report = MetricsReport.Create(metrics, cached.Schema);
        var temperature = temperatureOfModel ?? CalibrationReader.Temperature(null, TransformerChains.FindClassifier(model), null);
        return new ModelEvaluation(metrics, report with
        {
            Calibration = CalibrationReader.Read(cached, DefaultColumnNames.Label, DefaultColumnNames.Score, report.ClassCount, temperature),
        });
    }
}
