using Microsoft.ML;
using Microsoft.ML.Data;
using System.Reflection;
using Microsoft.ML.Transforms;
using MlNetMnist.Onnx;


namespace MlNetMnist.SavedModels;

/// <summary>
/// Builds, from a trained classifier given as a one-row ONNX graph (see <see cref="OnnxLayout.Row"/>),
/// a chain of ML.NET's own transformers that computes the same <c>Score</c> and <c>PredictedLabel</c>,
/// and saves that chain in the classifier's place (ML.NET does not let an outside assembly save its
/// own transformer type):
/// <list type="number">
/// <item><c>OnnxTransformer</c> running the network exported as a one-row ONNX graph
/// (<c>Features</c> -&gt; <c>Score</c>, and the arg-max index as a one-element vector);</item>
/// <item><c>Hash</c> with <c>combine</c>, which turns that one-element vector into a scalar (the
/// only saveable ML.NET transform found that does; OnnxTransformer cannot output scalars);</item>
/// <item><c>MapValue</c> from the hash of each index to the original label value (the table is
/// made by hashing the indices with the same transform, so no hash function is assumed);</item>
/// <item><c>MapValueToKey</c> with the training label's key values in key order, so that
/// <c>PredictedLabel</c> has the label's key type and <c>MapKeyToValue</c> gives the original labels;</item>
/// <item><c>DropColumns</c> of the helper columns.</item>
/// </list>
/// </summary>
internal static class SavedModelBuilder
{
    /// <summary>The name the one-row graph must give its arg-max output (<see cref="OnnxExportOptions.PredictedIndexName"/>).</summary>
    public const string IndexColumn = "PredictedIndex.TorchCnn";
    private const string HashColumn = "PredictedIndexHash.TorchCnn";
    private const string ValueColumn = "PredictedLabelValue.TorchCnn";

    /// <summary>Saves the chain for <paramref name="classifier"/> to <paramref name="ctx"/>.</summary>
    public static void Save(SavedClassifier classifier, ModelSaveContext ctx)
    {
        var ml = new MLContext();
        string onnxPath = Path.Combine(Path.GetTempPath(), $"mlnetmnist-{Guid.NewGuid():N}.onnx");
        try
        {
            AtomicFile.Write(onnxPath, stream => stream.Write(classifier.RowGraph()));
            var chain = Build(ml, classifier, onnxPath);
            try
            {
                ((ICanSaveModel)chain).Save(ctx);
            }
            finally
            {
                (chain as IDisposable)?.Dispose();
            }
        }
        finally
        {
            File.Delete(onnxPath);
        }
    }

    /// <summary>The ML.NET chain equivalent to <paramref name="model"/>, reading the ONNX file at <paramref name="onnxPath"/>.</summary>
    public static ITransformer Build(MLContext ml, SavedClassifier model, string onnxPath)
    {
        var label = model.Label;
        var hash = ml.Transforms.Conversion.Hash(new HashingEstimator.ColumnOptions(HashColumn, IndexColumn, numberOfBits: 30, combine: true));
        var estimator = ml.Transforms.ApplyOnnxModel(
                outputColumnNames: model.HasOutOfDistributionScore
                    ? new[] { DefaultColumnNames.Score, IndexColumn, DefaultColumnNames.OutOfDistributionScore }
                    : new[] { DefaultColumnNames.Score, IndexColumn },
                inputColumnNames: new[] { model.FeatureColumnName },
                modelFile: onnxPath,
                gpuDeviceId: null,
                fallbackToCpu: false)
            .Append(hash);

        var valueType = label.ValueType?.RawType ?? typeof(long);
        var (lookup, keyData) = ((IDataView, IDataView))typeof(SavedModelBuilder)
            .GetMethod(nameof(KeyTables), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(valueType)
            .Invoke(null, new object[] { ml, label, hash })!;
        return estimator
            .Append(ml.Transforms.Conversion.MapValue(ValueColumn, lookup, lookup.Schema[HashColumn], lookup.Schema["Value"], HashColumn))
            .Append(ml.Transforms.Conversion.MapValueToKey(DefaultColumnNames.PredictedLabel, ValueColumn, keyData: keyData))
            .Append(ml.Transforms.DropColumns(IndexColumn, HashColumn, ValueColumn))
            .Fit(EmptyInput(ml, model));
    }

    private static IDataView EmptyInput(MLContext ml, SavedClassifier model)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[0].ColumnName = model.FeatureColumnName;
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputSize);
        return ml.Data.LoadFromEnumerable(new[] { new FeatureRow { Features = new float[model.InputSize] } }, schema);
    }

    /// <summary>
    /// The table from the hash of each class index to the label value, and the label values in key
    /// order (the key data of <c>MapValueToKey</c>). Labels without key values use the index itself.
    /// </summary>
    private static (IDataView Lookup, IDataView KeyData) KeyTables<T>(MLContext ml, LabelKeyInfo label, IEstimator<ITransformer> hash)
    {
        T[] values = label.ValueType is null
            ? Enumerable.Range(0, label.Count).Select(i => (T)(object)(long)i).ToArray()
            : label.KeyValues<T>().DenseValues().ToArray();
        var schema = SchemaDefinition.Create(typeof(LookupRow<T>));
        schema[nameof(LookupRow<T>.Index)].ColumnName = IndexColumn;
        var rows = ml.Data.LoadFromEnumerable(values.Select((v, i) => new LookupRow<T> { Index = new long[] { i }, Value = v }), schema);
        var hashed = hash.Fit(rows).Transform(rows);
        var lookup = ml.Transforms.SelectColumns(HashColumn, "Value").Fit(hashed).Transform(hashed);
        if (lookup.GetColumn<uint>(HashColumn).Distinct().Count() != values.Length)
            throw new InvalidOperationException("Two class indices hash to the same value; the model cannot be saved with this label set.");
        var keyData = ml.Data.LoadFromEnumerable(values.Select(v => new ValueRow<T> { Value = v }));
        return (lookup, keyData);
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class LookupRow<T>
    {
        [VectorType(1)]
        public long[] Index { get; set; } = Array.Empty<long>();

        public T Value { get; set; } = default!;
    }

    private sealed class ValueRow<T>
    {
        public T Value { get; set; } = default!;
    }
}

/// <summary>What <see cref="SavedModelBuilder"/> needs of a trained classifier.</summary>
/// <param name="FeatureColumnName">The pixel column the classifier reads.</param>
/// <param name="InputSize">Values per row of that column.</param>
/// <param name="Label">The training label's key type and values.</param>
/// <param name="HasOutOfDistributionScore">True when the graph also outputs <see cref="DefaultColumnNames.OutOfDistributionScore"/>.</param>
/// <param name="RowGraph">Writes the classifier as a one-row ONNX graph (input named like the feature column, outputs <c>Score</c> and <see cref="SavedModelBuilder.IndexColumn"/>).</param>
internal sealed record SavedClassifier(string FeatureColumnName, int InputSize, LabelKeyInfo Label, bool HasOutOfDistributionScore, Func<byte[]> RowGraph);
