using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.SavedModels;

/// <summary>
/// What a trained classifier remembers of its label column: the key type, the key values (the
/// original label values, in key order) and their text, used as slot names of <c>Score</c>.
/// </summary>
internal sealed class LabelKeyInfo
{
    private LabelKeyInfo(KeyDataViewType keyType, DataViewSchema.Annotations annotations, DataViewType? valueType, string[] classNames)
    {
        KeyType = keyType;
        Annotations = annotations;
        ValueType = valueType;
        ClassNames = classNames;
    }

    /// <summary>The label's key type (and so the type of <c>PredictedLabel</c>).</summary>
    public KeyDataViewType KeyType { get; }

    /// <summary>The label column's annotations (KeyValues), copied to <c>PredictedLabel</c>.</summary>
    public DataViewSchema.Annotations Annotations { get; }

    /// <summary>Item type of the key values, or null when the key has none.</summary>
    public DataViewType? ValueType { get; }

    /// <summary>Text of each class in key order (key i+1 is class i).</summary>
    public string[] ClassNames { get; }

    /// <summary>Number of classes.</summary>
    public int Count => ClassNames.Length;

    /// <summary>Reads the key type and values of <paramref name="label"/>; a non-key column is refused.</summary>
    public static LabelKeyInfo From(DataViewSchema.Column label)
    {
        if (label.Type is not KeyDataViewType keyType || keyType.RawType != typeof(uint))
            throw new ArgumentException(
                $"Label column '{label.Name}' has type {label.Type}; expected a key type with UInt32 storage. Map it with mlContext.Transforms.Conversion.MapValueToKey(\"{label.Name}\") first.");
        if (keyType.Count < 2 || keyType.Count > 100_000)
            throw new ArgumentException($"Label column '{label.Name}' has {keyType.Count} classes; expected 2 to 100000.");
        int count = (int)keyType.Count;

        var keyValuesColumn = label.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKeyValues);
        if (keyValuesColumn?.Type is VectorDataViewType { ItemType: var itemType } vector && vector.Size == count)
        {
            var method = typeof(LabelKeyInfo).GetMethod(nameof(ReadNames), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(itemType.RawType);
            var names = (string[])method.Invoke(null, new object[] { label.Annotations })!;
            return new LabelKeyInfo(keyType, label.Annotations, itemType, names);
        }
        var numbers = Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new LabelKeyInfo(keyType, label.Annotations, null, numbers);
    }

    /// <summary>The class names as a <c>SlotNames</c> annotation value.</summary>
    public VBuffer<ReadOnlyMemory<char>> SlotNames() =>
        new(Count, ClassNames.Select(n => n.AsMemory()).ToArray());

    /// <summary>The key values in key order, as stored (for rebuilding the key mapping in a saved model).</summary>
    public VBuffer<T> KeyValues<T>()
    {
        VBuffer<T> values = default;
        Annotations.GetValue(AnnotationUtilsKeyValues, ref values);
        return values;
    }

    internal const string AnnotationUtilsKeyValues = "KeyValues";

    private static string[] ReadNames<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue(AnnotationUtilsKeyValues, ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }
}
