using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>
/// The result of a multiclass evaluation as a plain, serialisable data object: ML.NET's
/// <see cref="MulticlassClassificationMetrics"/> plus the class names, per-class precision, recall,
/// F1 and support, and the confusion matrix. <see cref="ToJson"/> and <see cref="FromJson"/> convert it
/// to and from JSON (indented, camelCase).
/// </summary>
public sealed record MetricsReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Precision of a class that is never predicted, or a log loss, may not be a finite number.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The class names, in the order of the confusion matrix's rows and columns.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Fraction of all rows predicted correctly (0-1): the accuracy.</summary>
    public double MicroAccuracy { get; init; }

    /// <summary>Mean over the classes of the per-class accuracy (recall) (0-1).</summary>
    public double MacroAccuracy { get; init; }

    /// <summary>Mean negative log of the probability given to the true class.</summary>
    public double LogLoss { get; init; }

    /// <summary>Relative improvement of <see cref="LogLoss"/> over predicting the class priors (1 is perfect, 0 no better than the priors).</summary>
    public double LogLossReduction { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>; 0 when the evaluation computed no top-k accuracy.</summary>
    public int TopKPredictionCount { get; init; }

    /// <summary>Fraction of rows whose true class is among the <see cref="TopKPredictionCount"/> highest scores (0-1).</summary>
    public double TopKAccuracy { get; init; }

    /// <summary>Top-k accuracy for k = 1 to <see cref="TopKPredictionCount"/>, when ML.NET reported it; otherwise empty.</summary>
    public IReadOnlyList<double> TopKAccuracyForAllK { get; init; } = [];

    /// <summary>Precision, recall, F1, support and log loss of each class, in <see cref="ClassNames"/> order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; init; } = [];

    /// <summary>
    /// Confusion matrix counts: <c>ConfusionMatrix[t][p]</c> is the number (weight, for a weighted
    /// evaluation) of rows of true class <c>ClassNames[t]</c> predicted as <c>ClassNames[p]</c>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> ConfusionMatrix { get; init; } = [];

    /// <summary>The total of <see cref="ConfusionMatrix"/>: the number of rows evaluated (or their weight).</summary>
    public double TotalCount { get; init; }

    /// <summary>Number of classes.</summary>
    [JsonIgnore]
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// Builds the report from ML.NET's metrics and the class names in the order of the confusion
    /// matrix rows (see <see cref="Reports.ClassNames.FromSchema"/>).
    /// </summary>
    /// <param name="metrics">The result of <c>mlContext.MulticlassClassification.Evaluate</c>.</param>
    /// <param name="classNames">One name per class; null for <c>"0"</c> to <c>"k-1"</c>.</param>
    /// <exception cref="ArgumentException">The number of names is not the number of classes.</exception>
    public static MetricsReport Create(MulticlassClassificationMetrics metrics, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var confusion = metrics.ConfusionMatrix;
        int k = confusion.NumberOfClasses;
        var names = classNames ?? Reports.ClassNames.Numbered(k);
        if (names.Count != k)
            throw new ArgumentException($"{names.Count} class names given for a confusion matrix of {k} classes.", nameof(classNames));

        var counts = confusion.Counts.Select(row => (IReadOnlyList<double>)row.ToArray()).ToArray();
        var perClass = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            double precision = confusion.PerClassPrecision[c], recall = confusion.PerClassRecall[c];
            perClass[c] = new ClassMetrics
            {
                ClassName = names[c],
                Precision = precision,
                Recall = recall,
                F1 = ClassMetrics.ComputeF1(precision, recall),
                Support = counts[c].Sum(),
                LogLoss = c < metrics.PerClassLogLoss.Count ? metrics.PerClassLogLoss[c] : double.NaN,
            };
        }
        return new MetricsReport
        {
            ClassNames = names.ToArray(),
            MicroAccuracy = metrics.MicroAccuracy,
            MacroAccuracy = metrics.MacroAccuracy,
            LogLoss = metrics.LogLoss,
            LogLossReduction = metrics.LogLossReduction,
            TopKPredictionCount = metrics.TopKPredictionCount,
            TopKAccuracy = metrics.TopKAccuracy,
            TopKAccuracyForAllK = metrics.TopKAccuracyForAllK?.ToArray() ?? [],
            PerClass = perClass,
            ConfusionMatrix = counts,
            TotalCount = counts.Sum(row => row.Sum()),
        };
    }

    /// <summary>
    /// Builds the report, taking the class names from the scored data's schema
    /// (<see cref="Reports.ClassNames.FromSchema"/>): the slot names of <c>Score</c>, else the key
    /// values of <c>Label</c> or <c>PredictedLabel</c>, else numbers.
    /// </summary>
    /// <param name="metrics">The result of <c>mlContext.MulticlassClassification.Evaluate</c>.</param>
    /// <param name="scoredSchema">Schema of the data view that was evaluated.</param>
    /// <param name="scoreColumnName">The score column.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column.</param>
    public static MetricsReport Create(MulticlassClassificationMetrics metrics, DataViewSchema scoredSchema,
        string scoreColumnName = "Score", string labelColumnName = "Label", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(scoredSchema);
        var names = Reports.ClassNames.FromSchema(scoredSchema, metrics.ConfusionMatrix.NumberOfClasses,
            scoreColumnName, labelColumnName, predictedLabelColumnName);
        return Create(metrics, names);
    }

    /// <summary>True when both reports hold the same values, comparing the lists element by element.</summary>
    /// <param name="other">The other report.</param>
    public bool Equals(MetricsReport? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (ClassNames.SequenceEqual(other.ClassNames)
                && MicroAccuracy.Equals(other.MicroAccuracy)
                && MacroAccuracy.Equals(other.MacroAccuracy)
                && LogLoss.Equals(other.LogLoss)
                && LogLossReduction.Equals(other.LogLossReduction)
                && TopKPredictionCount == other.TopKPredictionCount
                && TopKAccuracy.Equals(other.TopKAccuracy)
                && TopKAccuracyForAllK.SequenceEqual(other.TopKAccuracyForAllK)
                && PerClass.SequenceEqual(other.PerClass)
                && ConfusionMatrix.Count == other.ConfusionMatrix.Count
                && ConfusionMatrix.Zip(other.ConfusionMatrix).All(rows => rows.First.SequenceEqual(rows.Second))
                && TotalCount.Equals(other.TotalCount)));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ClassNames.Count, MicroAccuracy, MacroAccuracy, LogLoss, TopKPredictionCount, TotalCount);

    /// <summary>The report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="JsonException">The text is not a report.</exception>
    public static MetricsReport FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<MetricsReport>(json, JsonOptions)
            ?? throw new JsonException("The JSON is null; expected a metrics report object.");
    }

    /// <summary>
    /// Writes <see cref="ToJson"/> (UTF-8) to <paramref name="path"/> atomically: through a temporary
    /// file in the same folder (created if needed) that then replaces the target, so a failure leaves
    /// an existing file untouched.
    /// </summary>
    /// <param name="path">The JSON file to write.</param>
    public void WriteJson(string path) => AtomicFile.WriteAllText(path, ToJson() + Environment.NewLine);

    /// <summary>Reads a report from a file written by <see cref="WriteJson"/>.</summary>
    /// <param name="path">The JSON file.</param>
    public static MetricsReport ReadJson(string path) => FromJson(File.ReadAllText(path));
}
