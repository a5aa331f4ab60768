using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>
/// Builds a full <see cref="MetricsReport"/> from scored data: ML.NET's evaluation for the numbers,
/// then one pass over the (cached) predictions for the misclassified examples, and the sample images.
/// </summary>
internal static class ReportBuilder
{
    public static MetricsReport Build(MLContext ml, IDataView scored, IDataView sampleSource, ReportOptions options, IImageClassifierModel? classifier,
        IDataView? nonDigitsScored = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(scored);
        options.Validate();

        var named = ClassNames.WithScoreSlotNames(scored, options.ScoreColumnName, options.LabelColumnName, options.PredictedLabelColumnName);
        var schema = named.Schema;
        var label = schema.GetColumnOrNull(options.LabelColumnName)
            ?? throw new ArgumentException($"The scored data has no label column '{options.LabelColumnName}'.", nameof(scored));
        var score = schema.GetColumnOrNull(options.ScoreColumnName)
            ?? throw new ArgumentException($"The scored data has no score column '{options.ScoreColumnName}'.", nameof(scored));
        if (score.Type is not VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item, Size: var classCount } || item != NumberDataViewType.Single)
            throw new ArgumentException($"Score column '{score.Name}' has type {score.Type}; expected a known-size vector of Single, one score per class.", nameof(scored));

        var features = schema.GetColumnOrNull(options.FeatureColumnName);
        var shape = ImageShape.ForColumn(features, options.ImageShape);
        if (shape is not null && !ColumnReaders.IsFloatVector(features, shape.Size)) shape = null;

        // Cached, so that ML.NET's evaluation and the pass for the examples score the data once.
        var prefetch = new List<string> { label.Name, score.Name };
        if (shape is not null) prefetch.Add(features!.Value.Name);
        bool hasOutOfDistribution = OutOfDistributionReader.HasScore(schema, options.OutOfDistributionColumnName);
        if (hasOutOfDistribution) prefetch.Add(options.OutOfDistributionColumnName);
        var cached = ml.Data.Cache(named, prefetch.Distinct().ToArray());

        var metrics = ml.MulticlassClassification.Evaluate(cached, label.Name, score.Name, options.PredictedLabelColumnName,
            topKPredictionCount: Math.Min(options.TopK, classCount));
        var report = MetricsReport.Create(metrics, cached.Schema, score.Name, label.Name, options.PredictedLabelColumnName);

        var collector = new MisclassifiedCollector(report.TopConfusions, options.ConfusionsWithExamples, options.ExamplesPerConfusion, options.MostConfidentErrors);
        long rows = CollectMisclassified(cached, report, options, shape, collector);

        return report with
        {
            Calibration = CalibrationReader.Read(cached, label.Name, score.Name, classCount,
                CalibrationReader.Temperature(options.Temperature, classifier, options.Metadata)),
            OutOfDistribution = hasOutOfDistribution ? TradeOff(cached, nonDigitsScored, options, score.Name, classCount) : null,
            Misclassified = collector.Result(),
            // Data whose features the pipeline computes (e.g. from image files) has none to show: use the scored rows.
            SampleImages = HasFeatures(sampleSource, options, shape) ? ReadSamples(sampleSource, options, shape) : ReadSamples(cached, options, shape),
            ImageShape = shape,
            Training = TrainingSummary.From(options.History ?? classifier?.History),
            Metadata = Metadata(options, classifier, report, rows, shape),
        };
    }

    /// <summary>The out-of-distribution trade-off of the evaluated rows and, when given, the scored non-digit images.</summary>
    private static OutOfDistributionTradeOff TradeOff(IDataView digits, IDataView? nonDigits, ReportOptions options, string scoreColumnName, int classCount)
    {
        var (digitScores, digitTop) = OutOfDistributionReader.Read(digits, scoreColumnName, options.OutOfDistributionColumnName, classCount);
        var (nonDigitScores, nonDigitTop) = nonDigits is null ? (Array.Empty<float>(), Array.Empty<float>()) : OutOfDistributionReader.Read(nonDigits, scoreColumnName, options.OutOfDistributionColumnName, classCount);
        return OutOfDistributionTradeOff.Compute(digitScores, digitTop, nonDigitScores, nonDigitTop, options.NonDigitDescription);
    }

    private static long CollectMisclassified(IDataView data, MetricsReport report, ReportOptions options, ImageShape? shape, MisclassifiedCollector collector)
    {
        var schema = data.Schema;
        var label = schema[options.LabelColumnName];
        var score = schema[options.ScoreColumnName];
        var features = shape is null ? null : schema.GetColumnOrNull(options.FeatureColumnName);
        var columns = features is { } f ? new[] { label, score, f } : new[] { label, score };
        int k = report.ClassCount;

        using var cursor = data.GetRowCursor(columns);
        var classIndex = ColumnReaders.ClassIndex(cursor, label, k);
        var scores = ColumnReaders.Scores(cursor, score, k);
        var pixels = ColumnReaders.Pixels(cursor, features, shape);
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            int truth = classIndex();
            if (truth < 0) continue;
            var values = scores();
            int predicted = ArgMax(values);
            if (predicted < 0 || predicted == truth) continue;
            double confidence = values[predicted];
            if (!collector.Wants(truth, predicted, confidence, row)) continue;
            collector.Add(new MisclassifiedExample
            {
                Row = row,
                TrueIndex = truth,
                TrueLabel = report.ClassNames[truth],
                PredictedIndex = predicted,
                PredictedLabel = report.ClassNames[predicted],
                Confidence = confidence,
                TrueClassScore = values[truth],
                Pixels = pixels?.Invoke() ?? [],
            });
        }
        return row + 1;
    }

    /// <summary>The index of the highest score (the first of equal ones), ignoring NaN; -1 when all are NaN.</summary>
    internal static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = -1;
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsNaN(scores[i]) && (best < 0 || scores[i] > scores[best])) best = i;
        return best;
    }

    private static bool HasFeatures(IDataView source, ReportOptions options, ImageShape? shape) =>
        shape is not null && ColumnReaders.IsFloatVector(source.Schema.GetColumnOrNull(options.FeatureColumnName), shape.Size);

    private static IReadOnlyList<LabelledImage> ReadSamples(IDataView source, ReportOptions options, ImageShape? shape)
    {
        if (shape is null || options.SampleImageCount == 0) return [];
        var label = source.Schema.GetColumnOrNull(options.LabelColumnName);
        var features = source.Schema.GetColumnOrNull(options.FeatureColumnName);
        if (label is null || !ColumnReaders.IsFloatVector(features, shape.Size)) return [];

        var samples = new List<LabelledImage>(options.SampleImageCount);
        using var cursor = source.GetRowCursor([label.Value, features!.Value]);
        var text = ColumnReaders.LabelText(cursor, label.Value);
        var pixels = ColumnReaders.Pixels(cursor, features, shape)!;
        for (long row = 0; samples.Count < options.SampleImageCount && cursor.MoveNext(); row++)
            samples.Add(new LabelledImage { Row = row, Label = text(), Pixels = pixels() });
        return samples;
    }

    private static ReportMetadata Metadata(ReportOptions options, IImageClassifierModel? classifier, MetricsReport report, long rows, ImageShape? shape)
    {
        var ci = CultureInfo.InvariantCulture;
        var metadata = options.Metadata ?? new ReportMetadata();
        if (metadata.Model.Count == 0 && classifier is not null)
        {
            metadata = metadata with { Model = classifier.Describe() };
        }
        if (metadata.Data.Count == 0)
        {
            metadata = metadata with
            {
                Data =
                [
                    new("Rows evaluated", rows.ToString("N0", ci)),
                    new("Classes", report.ClassCount.ToString(ci)),
                    new("Label column", options.LabelColumnName),
                    new("Feature column", shape is null ? options.FeatureColumnName : $"{options.FeatureColumnName} ({shape} pixels)"),
                ],
            };
        }
        return metadata;
    }
}
