using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;

namespace MlNetMnist.Tests.Onnx;

/// <summary>The row layout as ML.NET's OnnxTransformer sees it.</summary>
public class RowLayoutInMlNetTests
{
    private sealed class PixelRow
    {
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void OnnxTransformerReadsScoreAsFixedSizeVectorAndIndexAsOneElementVector()
    {
        var (trained, scored) = Score(new OnnxExportOptions { Layout = OnnxLayout.Row });

        var indexType = Assert.IsType<VectorDataViewType>(scored.Schema["PredictedIndex"].Type);
        Assert.Equal(NumberDataViewType.Int64, indexType.ItemType);
        Assert.Equal(1, indexType.Size);

        var scores = scored.GetColumn<float[]>("Score").ToList();
        var indices = scored.GetColumn<long[]>("PredictedIndex").ToList();
        for (int i = 0; i < trained.BatchSize; i++)
        {
            float[] expected = trained.ProbabilityRow(i);
            AssertClose(expected, scores[i], i);
            Assert.Equal(Array.IndexOf(expected, expected.Max()), Assert.Single(indices[i]));
        }
    }

    private static (TrainedNetwork Trained, IDataView Scored) Score(OnnxExportOptions options)
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 1, 20, 16, 5, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 11, batchSize: 6);
        string dir = Path.Combine(Path.GetTempPath(), $"mlnetmnist-onnx-{Guid.NewGuid():N}");
        try
        {
            string path = Path.Combine(dir, "model.onnx");
            OnnxExporter.ExportToFile(definition, trained.Weights, options, path);

            var ml = new MLContext(seed: 0);
            var schema = SchemaDefinition.Create(typeof(PixelRow));
            schema[nameof(PixelRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, definition.InputSize);
            var rows = Enumerable.Range(0, trained.BatchSize).Select(i => new PixelRow { Features = trained.InputRow(i) }).ToList();
            var data = ml.Data.LoadFromEnumerable(rows, schema);

            // OnnxTransformer reads the file once, when it is created.
            var scored = ml.Transforms.ApplyOnnxModel(path).Fit(data).Transform(data);
            return (trained, scored);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, int row)
    {
        Assert.Equal(expected.Length, actual.Length);
        float maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference <= 1e-5f, $"row {row}: max |difference| {maxDifference:G3}");
    }
}
