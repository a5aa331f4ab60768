using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist;

/// <summary>
/// Finds the class names of a scored data view in the order of the score vector's slots, which is
/// the order of the rows and columns of ML.NET's confusion matrix.
/// </summary>
public static class ClassNames
{
    /// <summary>
    /// The class names of <paramref name="scoredSchema"/>, trying in turn: the slot names of the score
    /// column (present for a pipeline trained in this process), the key values of the label column,
    /// the key values of the predicted-label column (present for a model loaded from a file, where
    /// the score column has no slot names), and finally <c>"0"</c> to <c>"k-1"</c>. A source is used
    /// only when it has exactly <paramref name="classCount"/> names.
    /// </summary>
    /// <param name="scoredSchema">Schema of the data the evaluation was run on.</param>
    /// <param name="classCount">Number of classes (<c>ConfusionMatrix.NumberOfClasses</c>).</param>
    /// <param name="scoreColumnName">The score column.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column.</param>
    public static IReadOnlyList<string> FromSchema(DataViewSchema scoredSchema, int classCount,
        string scoreColumnName = DefaultColumnNames.Score, string labelColumnName = DefaultColumnNames.Label, string predictedLabelColumnName = DefaultColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(scoredSchema);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        return FromSlotNames(scoredSchema.GetColumnOrNull(scoreColumnName), classCount)
            ?? FromKeyValues(scoredSchema.GetColumnOrNull(labelColumnName), classCount)
            ?? FromKeyValues(scoredSchema.GetColumnOrNull(predictedLabelColumnName), classCount)
            ?? Numbered(classCount);
    }

    /// <summary>
    /// <paramref name="scored"/> with the class names as <c>SlotNames</c> of its score column, when that
    /// column has none and the key values of the label (or predicted-label) column give them; otherwise
    /// <paramref name="scored"/> itself. A model loaded from a file scores without slot names, and ML.NET's
    /// evaluator then labels the confusion table 0 to k-1 in key order, which for MNIST is not the digit
    /// order; evaluating this view instead gives <c>GetFormattedConfusionTable</c> the real class names.
    /// </summary>
    /// <param name="scored">The output of a multiclass model's <c>Transform</c>.</param>
    /// <param name="scoreColumnName">The score column.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column.</param>
    public static IDataView WithScoreSlotNames(IDataView scored,
        string scoreColumnName = DefaultColumnNames.Score, string labelColumnName = DefaultColumnNames.Label, string predictedLabelColumnName = DefaultColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var score = scored.Schema.GetColumnOrNull(scoreColumnName);
        if (score?.Type is not VectorDataViewType { IsKnownSize: true, Size: var count }) return scored;
        if (FromSlotNames(score, count) is not null) return scored;
        var names = FromKeyValues(scored.Schema.GetColumnOrNull(labelColumnName), count)
            ?? FromKeyValues(scored.Schema.GetColumnOrNull(predictedLabelColumnName), count);
        return names is null ? scored : new SlotNamesDataView(scored, score.Value.Index, names);
    }

    /// <summary><c>"0"</c> to <c>"k-1"</c>.</summary>
    /// <param name="classCount">k.</param>
    public static IReadOnlyList<string> Numbered(int classCount) =>
        Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The slot names of a vector column, or null when it has none or not <paramref name="classCount"/> of them.</summary>
    /// <param name="column">The column (null gives null).</param>
    /// <param name="classCount">The number of names expected.</param>
    public static IReadOnlyList<string>? FromSlotNames(DataViewSchema.Column? column, int classCount)
    {
        if (column is not { } c || c.Type is not VectorDataViewType { Size: var size } || size != classCount) return null;
        if (c.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKinds.SlotNames)?.Type is not VectorDataViewType { ItemType: TextDataViewType } namesType
            || namesType.Size != classCount)
            return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        c.GetSlotNames(ref names);
        var result = names.DenseValues().Select(n => n.ToString()).ToArray();
        return result.Length == classCount ? result : null;
    }

    /// <summary>The key values of a key-typed column as text, or null when it has none or not <paramref name="classCount"/> of them.</summary>
    /// <param name="column">The column (null gives null).</param>
    /// <param name="classCount">The number of values expected.</param>
    public static IReadOnlyList<string>? FromKeyValues(DataViewSchema.Column? column, int classCount)
    {
        if (column is not { } c || c.Type is not KeyDataViewType) return null;
        if (c.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKinds.KeyValues)?.Type is not VectorDataViewType { ItemType: var itemType } valuesType
            || valuesType.Size != classCount)
            return null;
        var method = typeof(ClassNames).GetMethod(nameof(ReadKeyValues), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType);
        var result = (string[])method.Invoke(null, [c])!;
        return result.Length == classCount ? result : null;
    }

    private static string[] ReadKeyValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v switch
        {
            null => "",
            ReadOnlyMemory<char> text => text.ToString(),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        }).ToArray();
    }

    private static class AnnotationUtilsKinds
    {
        public const string SlotNames = "SlotNames";
        public const string KeyValues = "KeyValues";
    }
}
