using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Data;

/// <summary>
/// A read-only ML.NET <see cref="IDataView"/> over images held in memory: one row per image, with a
/// label column (<see cref="uint"/> scalar) and a features column (known-size vector of
/// <see cref="float"/>, the raw pixel bytes 0-255 in their stored order).
/// </summary>
/// <remarks>
/// For grayscale images stored row-major this is exactly what ML.NET's <c>ExtractPixels</c> gives with
/// its defaults (no scaling, no offset). The arrays are not copied: do not change them while the view
/// is in use. Rows come out in order; the view cannot shuffle.
/// </remarks>
public sealed class InMemoryImageDataView : IDataView
{


    /// <summary>Creates a view of <paramref name="labels"/>.Length images.</summary>
    /// <param name="pixels">The pixels, <paramref name="imageSize"/> bytes per image, image after image.</param>
    /// <param name="imageSize">Values per image, the length of the features vector.</param>
    /// <param name="labels">One label per image.</param>
    /// <param name="labelColumnName">Name of the label column.</param>
    /// <param name="featureColumnName">Name of the features column.</param>
    public InMemoryImageDataView(byte[] pixels, int imageSize, uint[] labels,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(featureColumnName);
        if (labelColumnName == featureColumnName)
            throw new ArgumentException($"The label and features columns are both called '{labelColumnName}'.", nameof(featureColumnName));
        if ((long)labels.Length * imageSize != pixels.Length)
            throw new ArgumentException(
                $"{pixels.Length} pixels do not make {labels.Length} images of {imageSize} values ({(long)labels.Length * imageSize} expected).", nameof(pixels));

        Pixels = pixels;
        ImageSize = imageSize;
        Labels = labels;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(labelColumnName, NumberDataViewType.UInt32);
        builder.AddColumn(featureColumnName, new VectorDataViewType(NumberDataViewType.Single, imageSize));
        Schema = builder.ToSchema();
    }

    /// <summary>The pixels, <see cref="ImageSize"/> bytes per row.</summary>
    internal byte[] Pixels { get; }

    /// <summary>The labels, one per row.</summary>
    internal uint[] Labels { get; }

    /// <summary>Values per image, the length of the features vector.</summary>
    public int ImageSize { get; }

    /// <summary>Number of rows (images).</summary>
    public int RowCount => Labels.Length;

    /// <summary>The label column (index 0).</summary>
    public DataViewSchema.Column LabelColumn => Schema[0];

    /// <summary>The features column (index 1).</summary>
    public DataViewSchema.Column FeaturesColumn => Schema[1];

    /// <summary>Always false: rows come out in stored order.</summary>
    public bool CanShuffle => false;

    /// <summary>Two columns: the label (<see cref="uint"/>) and the features (vector of <see cref="float"/>).</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The number of rows, always known.</summary>
    public long? GetRowCount() => Labels.Length;

    /// <summary>A cursor over all rows in order, with the columns in <paramref name="columnsNeeded"/> active.</summary>
    /// <param name="columnsNeeded">The columns the caller will read.</param>
    /// <param name="rand">Ignored: the view does not shuffle.</param>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= active.Length)
                throw new ArgumentOutOfRangeException(nameof(columnsNeeded), $"Column '{column.Name}' (index {column.Index}) is not in this view.");
            active[column.Index] = true;
        }
        return new InMemoryImageRowCursor(this, active);
    }

    /// <summary>One cursor, as from <see cref="GetRowCursor"/>: the view is not split for parallel reading.</summary>
    /// <param name="columnsNeeded">The columns the caller will read.</param>
    /// <param name="n">Suggested number of cursors; ignored.</param>
    /// <param name="rand">Ignored: the view does not shuffle.</param>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
