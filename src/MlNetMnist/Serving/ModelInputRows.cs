using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.Serving;

/// <summary>
/// Makes the input rows of a model whose saved pipeline may still expect a label column (a model saved
/// with <c>MapValueToKey("Label")</c> in front needs one even to predict): pixel rows or image-path rows
/// with a <c>Label</c> of the model's own label type, left empty.
/// </summary>
internal abstract class ModelInputRows
{
    /// <summary>Rows for a model whose input schema is <paramref name="inputSchema"/> (the label type is taken from it; no label when it has none).</summary>
    public static ModelInputRows For(DataViewSchema inputSchema, string labelColumnName, string featureColumnName, int inputSize)
    {
        var label = inputSchema.GetColumnOrNull(labelColumnName);
        Type labelType = label is null ? typeof(NoLabel) : ClrType(label.Value.Type, labelColumnName);
        var rows = (ModelInputRows)Activator.CreateInstance(typeof(ModelInputRows<>).MakeGenericType(labelType),
            label?.Type, labelColumnName, featureColumnName, inputSize)!;
        return rows;
    }

    /// <summary>Length of the pixel vector.</summary>
    public abstract int InputSize { get; }

    /// <summary>An empty view with the pixel-row schema.</summary>
    public abstract IDataView EmptyPixels(MLContext ml);

    /// <summary>A view of one row per pixel vector.</summary>
    public abstract IDataView Pixels(MLContext ml, IEnumerable<float[]> pixels);

    /// <summary>A view of one row per image path, in the column <paramref name="pathColumnName"/>.</summary>
    public abstract IDataView Paths(MLContext ml, IEnumerable<string> paths, string pathColumnName);

    /// <summary>A pool of prediction engines over <paramref name="pixelModel"/>.</summary>
    public abstract IPixelScorer CreateScorer(MLContext ml, ITransformer pixelModel, string scoreColumnName, string? outOfDistributionColumnName, int maximumRetained);

    private static Type ClrType(DataViewType type, string column) => type switch
    {
        TextDataViewType => typeof(string),
        KeyDataViewType key => key.RawType,
        PrimitiveDataViewType primitive => primitive.RawType,
        _ => throw new NotSupportedException($"The model's label column '{column}' has type {type}, which cannot be given as input."),
    };

    /// <summary>Stands for "the model has no label input".</summary>
    internal sealed class NoLabel;
}

/// <summary><see cref="ModelInputRows"/> for a label of CLR type <typeparamref name="TLabel"/>.</summary>
internal sealed class ModelInputRows<TLabel> : ModelInputRows
{
    private readonly DataViewType? _labelType;
    private readonly string _labelColumnName;
    private readonly string _featureColumnName;
    private readonly int _inputSize;

    public ModelInputRows(DataViewType? labelType, string labelColumnName, string featureColumnName, int inputSize)
    {
        _labelType = labelType;
        _labelColumnName = labelColumnName;
        _featureColumnName = featureColumnName;
        _inputSize = inputSize;
    }

    public override int InputSize => _inputSize;

    private static TLabel EmptyLabel => typeof(TLabel) == typeof(string) ? (TLabel)(object)"" : default!;

    internal SchemaDefinition PixelSchema()
    {
        var schema = SchemaDefinition.Create(typeof(PixelRow<TLabel>));
        // The indexer finds a column by its current name: take it once, then rename it.
        var features = schema[nameof(PixelRow<TLabel>.Features)];
        features.ColumnType = new VectorDataViewType(NumberDataViewType.Single, _inputSize);
        features.ColumnName = _featureColumnName;
        SetLabel(schema, schema[nameof(PixelRow<TLabel>.Label)]);
        return schema;
    }

    private void SetLabel(SchemaDefinition schema, SchemaDefinition.Column label)
    {
        if (_labelType is null)
        {
            schema.Remove(label);
            return;
        }
        label.ColumnName = _labelColumnName;
        label.ColumnType = _labelType;
    }

    public override IDataView EmptyPixels(MLContext ml) => Pixels(ml, []);

    public override IDataView Pixels(MLContext ml, IEnumerable<float[]> pixels) =>
        ml.Data.LoadFromEnumerable(pixels.Select(p => new PixelRow<TLabel> { Features = p, Label = EmptyLabel }), PixelSchema());

    public override IDataView Paths(MLContext ml, IEnumerable<string> paths, string pathColumnName)
    {
        var schema = SchemaDefinition.Create(typeof(PathRow<TLabel>));
        var label = schema[nameof(PathRow<TLabel>.Label)];
        schema[nameof(PathRow<TLabel>.ImagePath)].ColumnName = pathColumnName;
        SetLabel(schema, label);
        return ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow<TLabel> { ImagePath = p, Label = EmptyLabel }), schema);
    }

    public override IPixelScorer CreateScorer(MLContext ml, ITransformer pixelModel, string scoreColumnName, string? outOfDistributionColumnName, int maximumRetained) =>
        new PooledPixelScorer<TLabel>(ml, pixelModel, this, scoreColumnName, outOfDistributionColumnName, maximumRetained);

    internal static PixelRow<TLabel> NewRow(float[] features) => new() { Features = features, Label = EmptyLabel };
}

/// <summary>One pixel vector (and an empty label).</summary>
internal sealed class PixelRow<TLabel>
{
    public float[] Features { get; set; } = [];

    public TLabel Label { get; set; } = default!;
}

/// <summary>One image path (and an empty label).</summary>
internal sealed class PathRow<TLabel>
{
    public string ImagePath { get; set; } = "";

    public TLabel Label { get; set; } = default!;
}

/// <summary>The class probabilities of one row, and its out-of-distribution output (empty when the model has none).</summary>
internal sealed class ScoreRow
{
    public float[] Score { get; set; } = [];

    public float[] OutOfDistributionScore { get; set; } = [];
}
