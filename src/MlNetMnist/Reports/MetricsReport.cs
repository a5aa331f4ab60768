using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>
/// The result of a multiclass evaluation as a plain, serialisable data object: ML.NET's
/// <see cref="MulticlassClassificationMetrics"/> plus the class names, per-class precision, recall,
/// F1 and support, the confusion matrix (counts and row-normalised rates) and its most frequent
/// confusions. A report made by <see cref="Evaluate(MLContext, ITransformer, IDataView, ReportOptions?)"/>
/// also holds misclassified examples with their images, sample images, the training curves and the
/// run's metadata, for the writers (<see cref="ReportWriter"/>). <see cref="ToJson"/> and
/// <see cref="FromJson"/> convert it to and from JSON (indented, camelCase).
/// </summary>
public sealed partial record MetricsReport
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

    /// <summary>
    /// The confusion matrix normalised by row: <c>ConfusionRates[t][p]</c> is the fraction of the rows
    /// of true class <c>t</c> predicted as <c>p</c> (0-1; a row without rows is all 0). The diagonal is
    /// the per-class recall.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> ConfusionRates =>
        ConfusionMatrix.Select(row =>
        {
            double sum = row.Sum();
            return (IReadOnlyList<double>)row.Select(count => sum > 0 ? count / sum : 0).ToArray();
        }).ToArray();

    /// <summary>The rows predicted wrongly (or their weight): <see cref="TotalCount"/> less the diagonal.</summary>
    public double ErrorCount => TotalCount - ConfusionMatrix.Select((row, c) => c < row.Count ? row[c] : 0).Sum();

    /// <summary>
    /// The non-empty off-diagonal cells of the confusion matrix, most frequent first (ties in row, then
    /// column order): which class is taken for which, and how often.
    /// </summary>
    public IReadOnlyList<ClassConfusion> TopConfusions { get; init; } = [];

    /// <summary>
    /// Misclassified rows with their images, most confident first: the most confident ones of each of the
    /// most frequent confusions, and the most confident errors overall (see <see cref="ReportOptions"/>).
    /// Empty for a report made from metrics alone.
    /// </summary>
    public IReadOnlyList<MisclassifiedExample> Misclassified { get; init; } = [];

    /// <summary>Images of the data with their labels, for the sample grid. Empty for a report made from metrics alone.</summary>
    public IReadOnlyList<LabelledImage> SampleImages { get; init; } = [];

    /// <summary>Shape of the images in <see cref="Misclassified"/> and <see cref="SampleImages"/>; null when the features are not images.</summary>
    public ImageShape? ImageShape { get; init; }

    /// <summary>
    /// Whether the probabilities mean what they say: the expected calibration error and the reliability
    /// diagram's bins (and, when the model's temperature is known, the error before temperature scaling).
    /// Null for a report made from metrics alone.
    /// </summary>
    public MlNetMnist.Calibration.CalibrationReport? Calibration { get; init; }

    /// <summary>
    /// For a model with an out-of-distribution score (<see cref="ReportOptions.OutOfDistributionColumnName"/>):
    /// the fraction of the evaluated digits it flags and of the non-digit images it catches
    /// (<see cref="ReportOptions.NonDigitData"/>) at several thresholds. Null for other models and for a
    /// report made from metrics alone.
    /// </summary>
    public OutOfDistributionTradeOff? OutOfDistribution { get; init; }

    /// <summary>The training curves, when the report was given a training history.</summary>
    public TrainingSummary? Training { get; init; }

    /// <summary>Title, date, library version, model and data description; null for a report made from metrics alone.</summary>
    public ReportMetadata? Metadata { get; init; }

    /// <summary>Number of classes.</summary>
    [JsonIgnore]
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// Builds the report from ML.NET's metrics and the class names in the order of the confusion
    /// matrix rows (see <see cref="MlNetMnist.ClassNames.FromSchema"/>).
    /// </summary>
    /// <param name="metrics">The result of <c>mlContext.MulticlassClassification.Evaluate</c>.</param>
    /// <param name="classNames">One name per class; null for <c>"0"</c> to <c>"k-1"</c>.</param>
    /// <exception cref="ArgumentException">The number of names is not the number of classes.</exception>
    public static MetricsReport Create(MulticlassClassificationMetrics metrics, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var confusion = metrics.ConfusionMatrix;
        int k = confusion.NumberOfClasses;
        var names = classNames ?? MlNetMnist.ClassNames.Numbered(k);
        if (names.Count != k)
            throw new ArgumentException($"{names.Count} class names given for a confusion matrix of {k} classes.", nameof(classNames));

        var counts = confusion.Counts.Select(row => (IReadOnlyList<double>)row.ToArray()).ToArray();
        var predicted = new double[k];
        foreach (var row in counts)
            for (int p = 0; p < k && p < row.Count; p++) predicted[p] += row[p];
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
                Correct = counts[c][c],
                Predicted = predicted[c],
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
            TopConfusions = Confusions(counts, names),
        };
    }

    /// <summary>The non-empty off-diagonal cells of <paramref name="counts"/>, most frequent first.</summary>
    private static ClassConfusion[] Confusions(IReadOnlyList<IReadOnlyList<double>> counts, IReadOnlyList<string> names)
    {
        var cells = new List<ClassConfusion>();
        for (int t = 0; t < counts.Count; t++)
        {
            double support = counts[t].Sum();
            for (int p = 0; p < counts[t].Count; p++)
                if (p != t && counts[t][p] > 0)
                    cells.Add(new ClassConfusion
                    {
                        TrueIndex = t,
                        TrueClass = names[t],
                        PredictedIndex = p,
                        PredictedClass = names[p],
                        Count = counts[t][p],
                        Rate = counts[t][p] / support,
                    });
        }
        // A stable sort: equal counts stay in row, then column order.
        return cells.OrderByDescending(c => c.Count).ToArray();
    }

    /// <summary>
    /// Builds the report, taking the class names from the scored data's schema
    /// (<see cref="MlNetMnist.ClassNames.FromSchema"/>): the slot names of <c>Score</c>, else the key
    /// values of <c>Label</c> or <c>PredictedLabel</c>, else numbers.
    /// </summary>
    /// <param name="metrics">The result of <c>mlContext.MulticlassClassification.Evaluate</c>.</param>
    /// <param name="scoredSchema">Schema of the data view that was evaluated.</param>
    /// <param name="scoreColumnName">The score column.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column.</param>
    public static MetricsReport Create(MulticlassClassificationMetrics metrics, DataViewSchema scoredSchema,
        string scoreColumnName = DefaultColumnNames.Score, string labelColumnName = DefaultColumnNames.Label, string predictedLabelColumnName = DefaultColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(scoredSchema);
        var names = MlNetMnist.ClassNames.FromSchema(scoredSchema, metrics.ConfusionMatrix.NumberOfClasses,
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
                && TotalCount.Equals(other.TotalCount)
                && TopConfusions.SequenceEqual(other.TopConfusions)
                && Misclassified.SequenceEqual(other.Misclassified)
                && SampleImages.SequenceEqual(other.SampleImages)
                && Equals(ImageShape, other.ImageShape)
                && Equals(Calibration, other.Calibration)
                && Equals(OutOfDistribution, other.OutOfDistribution)
                && Equals(Training, other.Training)
                && Equals(Metadata, other.Metadata)));

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
