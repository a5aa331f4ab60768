using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Reports;

/// <summary>Typed readers of the label and feature columns of a cursor, for the report builder.</summary>
internal static class ColumnReaders
{
    /// <summary>
    /// A reader of the class index (0-based) of each row from a key-typed label (key - 1) or a
    /// <see cref="float"/> label holding class indices; -1 for a missing or out-of-range label.
    /// </summary>
    /// <exception cref="ArgumentException">The column is neither a key type nor <see cref="float"/>.</exception>
    public static Func<int> ClassIndex(DataViewRow row, DataViewSchema.Column label, int classCount)
    {
        switch (label.Type)
        {
            case KeyDataViewType:
            {
                var read = AsUInt64(row, label);
                return () => read() is var key && key >= 1 && key <= (ulong)classCount ? (int)(key - 1) : -1;
            }
            case NumberDataViewType number when number == NumberDataViewType.Single:
            {
                var getter = row.GetGetter<float>(label);
                float value = 0;
                return () =>
                {
                    getter(ref value);
                    return value >= 0 && value < classCount && value == MathF.Floor(value) ? (int)value : -1;
                };
            }
            default:
                throw new ArgumentException(
                    $"Label column '{label.Name}' has type {label.Type}; expected a key type (map it with MapValueToKey) or Single class indices.");
        }
    }

    /// <summary>
    /// A reader of each row's label as text: the key value of a key-typed label (its number when the
    /// key has no values), the text of a text label, the invariant-culture form of a number or boolean.
    /// </summary>
    public static Func<string> LabelText(DataViewRow row, DataViewSchema.Column label)
    {
        if (label.Type is KeyDataViewType keyType)
        {
            var read = AsUInt64(row, label);
            var names = keyType.Count is > 0 and <= int.MaxValue ? ClassNames.FromKeyValues(label, (int)keyType.Count) : null;
            return () =>
            {
                ulong key = read();
                if (key == 0) return "(missing)";
                return names is not null && key <= (ulong)names.Count
                    ? names[(int)(key - 1)]
                    : (key - 1).ToString(CultureInfo.InvariantCulture);
            };
        }
        var method = typeof(ColumnReaders).GetMethod(nameof(TextOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(label.Type.RawType);
        return (Func<string>)method.Invoke(null, [row, label])!;
    }

    /// <summary>
    /// A reader of each row's feature vector as pixels (0-255: rounded, clamped, NaN as 0), or null
    /// when the column is not a vector of <see cref="float"/> of <paramref name="shape"/>'s size.
    /// </summary>
    public static Func<byte[]>? Pixels(DataViewRow row, DataViewSchema.Column? features, ImageShape? shape)
    {
        if (shape is null || !IsFloatVector(features, shape.Size)) return null;
        var getter = row.GetGetter<VBuffer<float>>(features!.Value);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var pixels = new byte[buffer.Length];
            if (buffer.IsDense)
            {
                var values = buffer.GetValues();
                for (int i = 0; i < values.Length; i++) pixels[i] = ToByte(values[i]);
            }
            else
            {
                int i = 0;
                foreach (var value in buffer.DenseValues()) pixels[i++] = ToByte(value);
            }
            return pixels;
        };
    }

    /// <summary>A reader of the score vector into a reused array.</summary>
    public static Func<float[]> Scores(DataViewRow row, DataViewSchema.Column score, int classCount)
    {
        var getter = row.GetGetter<VBuffer<float>>(score);
        VBuffer<float> buffer = default;
        var scores = new float[classCount];
        return () =>
        {
            getter(ref buffer);
            if (buffer.Length != classCount)
                throw new InvalidDataException($"Column '{score.Name}' has {buffer.Length} scores in a row; expected {classCount}.");
            buffer.CopyTo(scores);
            return scores;
        };
    }

    /// <summary>True when <paramref name="column"/> is a known-size vector of <paramref name="size"/> <see cref="float"/> values.</summary>
    public static bool IsFloatVector(DataViewSchema.Column? column, int size) =>
        column?.Type is VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item, Size: var s }
        && item == NumberDataViewType.Single && s == size;

    internal static byte ToByte(float value) =>
        float.IsNaN(value) ? (byte)0 : (byte)Math.Clamp(MathF.Round(value), 0f, 255f);

    private static Func<ulong> AsUInt64(DataViewRow row, DataViewSchema.Column column)
    {
        switch (Type.GetTypeCode(column.Type.RawType))
        {
            case TypeCode.Byte:
            {
                var g = row.GetGetter<byte>(column);
                byte v = 0;
                return () => { g(ref v); return v; };
            }
            case TypeCode.UInt16:
            {
                var g = row.GetGetter<ushort>(column);
                ushort v = 0;
                return () => { g(ref v); return v; };
            }
            case TypeCode.UInt32:
            {
                var g = row.GetGetter<uint>(column);
                uint v = 0;
                return () => { g(ref v); return v; };
            }
            case TypeCode.UInt64:
            {
                var g = row.GetGetter<ulong>(column);
                ulong v = 0;
                return () => { g(ref v); return v; };
            }
            default:
                throw new ArgumentException($"Key column '{column.Name}' has storage type {column.Type.RawType}; expected an unsigned integer.");
        }
    }

    private static Func<string> TextOf<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return value switch
            {
                null => "",
                ReadOnlyMemory<char> text => text.ToString(),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        };
    }
}
