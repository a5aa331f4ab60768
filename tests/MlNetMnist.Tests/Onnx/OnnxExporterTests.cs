using Microsoft.ML.OnnxRuntime;
using MlNetMnist.Networks;
using MlNetMnist.Onnx;

namespace MlNetMnist.Tests.Onnx;

public class OnnxExporterTests
{
    private const float Tolerance = 1e-5f;

    [Theory]
    [InlineData(NetworkArchitecture.FastCnn)]
    [InlineData(NetworkArchitecture.ClassicCnn)]
    [InlineData(NetworkArchitecture.Mlp)]
    [InlineData(NetworkArchitecture.WideCnn)]
    public void ExportedMnistNetworkMatchesTorchSharpInBothLayouts(NetworkArchitecture architecture)
    {
        var definition = Architectures.Create(architecture, 1, 28, 28, 10, TrainedNetwork.MnistNormalize);
        var trained = TrainedNetwork.Create(definition, seed: 17);
        AssertBatchNormStatisticsMoved(trained.Weights);
        AssertBothLayoutsMatch(trained);
    }

    [Fact]
    public void NonSquareThreeChannelInputMatchesTorchSharp()
    {
        var definition = Architectures.Create(NetworkArchitecture.FastCnn, 3, 20, 24, 4, NormalizeSpec.ForPixels(0.5f, 0.25f));
        AssertBothLayoutsMatch(TrainedNetwork.Create(definition, seed: 5));
    }

    [Fact]
    public void BatchNorm1dDropoutAndBiaslessLinearMatchTorchSharp()
    {
        var definition = TrainedNetwork.CustomMlp();
        AssertBothLayoutsMatch(TrainedNetwork.Create(definition, seed: 9));
    }

    [Fact]
    public void MetadataRoundTripsThroughOnnxModelInfoAndOnnxRuntime()
    {
        var trained = Small();
        var metadata = new Dictionary<string, string>
        {
            ["labels"] = "zero,one,two",
            ["note"] = "ünïcödé ✓",
            ["empty"] = "",
        };
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions { Metadata = metadata });

        var info = OnnxModelInfo.Read(bytes);
        Assert.Equal(metadata.OrderBy(p => p.Key), info.Metadata.OrderBy(p => p.Key));

        using var session = new InferenceSession(bytes);
        Assert.Equal(OnnxExporter.ProducerName, session.ModelMetadata.ProducerName);
        foreach (var (key, value) in metadata)
            Assert.Equal(value, session.ModelMetadata.CustomMetadataMap[key]);
    }

    [Fact]
    public void ModelWithoutMetadataReadsBackEmpty()
    {
        var trained = Small();
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions());
        Assert.Empty(OnnxModelInfo.Read(bytes).Metadata);
    }

    [Fact]
    public void RowLayoutDeclaresOneDimensionalInputAndScoreAndOneElementIndex()
    {
        var trained = Small();
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions { Layout = OnnxLayout.Row });
        using var session = new InferenceSession(bytes);

        Assert.Equal([trained.Definition.InputSize], session.InputMetadata["Features"].Dimensions);
        Assert.Equal([trained.Definition.Classes], session.OutputMetadata["Score"].Dimensions);
        Assert.Equal([1], session.OutputMetadata["PredictedIndex"].Dimensions);
        Assert.Equal(typeof(long), session.OutputMetadata["PredictedIndex"].ElementType);
        var outputs = OnnxRunner.Run(session, "Features", trained.InputRow(1), [trained.Definition.InputSize]);
        var index = (OnnxRunner.Output<long>)outputs["PredictedIndex"];
        Assert.Equal([1], index.Dimensions);
        Assert.Equal(ArgMax(trained.ProbabilityRow(1)), index.Values[0]);
    }

    [Fact]
    public void BatchLayoutHasSymbolicBatchDimension()
    {
        var trained = Small();
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, new OnnxExportOptions());
        using var session = new InferenceSession(bytes);

        var input = session.InputMetadata["Features"];
        Assert.Equal([-1, trained.Definition.InputSize], input.Dimensions);
        Assert.Equal("N", input.SymbolicDimensions[0]);
        Assert.Equal([-1, trained.Definition.Classes], session.OutputMetadata["Score"].Dimensions);
        Assert.Equal([-1], session.OutputMetadata["PredictedIndex"].Dimensions);
    }

    [Fact]
    public void CustomNamesAndNoPredictedIndex()
    {
        var trained = Small();
        var options = new OnnxExportOptions { InputName = "pixels", ScoreName = "probabilities", PredictedIndexName = null };
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, options);
        using var session = new InferenceSession(bytes);

        Assert.Equal(["pixels"], session.InputMetadata.Keys);
        Assert.Equal(["probabilities"], session.OutputMetadata.Keys);
        var outputs = OnnxRunner.Run(session, "pixels", trained.Inputs, [trained.BatchSize, trained.Definition.InputSize]);
        AssertClose(trained.Probabilities, ((OnnxRunner.Output<float>)outputs["probabilities"]).Values);
    }

    [Fact]
    public void OutputNamesThatLookLikeWeightNamesDoNotCollide()
    {
        var trained = Small();
        var options = new OnnxExportOptions { InputName = "1.weight", ScoreName = "0.scale", PredictedIndexName = "softmax" };
        byte[] bytes = OnnxExporter.Export(trained.Definition, trained.Weights, options);
        using var session = new InferenceSession(bytes);

        var outputs = OnnxRunner.Run(session, "1.weight", trained.Inputs, [trained.BatchSize, trained.Definition.InputSize]);
        AssertClose(trained.Probabilities, ((OnnxRunner.Output<float>)outputs["0.scale"]).Values);
        Assert.Equal(trained.BatchSize, ((OnnxRunner.Output<long>)outputs["softmax"]).Values.Length);
    }

    [Theory]
    [InlineData("Features", "Features", "PredictedIndex")]
    [InlineData("Features", "Score", "Score")]
    [InlineData("", "Score", "PredictedIndex")]
    public void DuplicateOrEmptyInputOutputNamesAreRejected(string input, string score, string index)
    {
        var trained = Small();
        var options = new OnnxExportOptions { InputName = input, ScoreName = score, PredictedIndexName = index };
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(trained.Definition, trained.Weights, options));
    }

    [Fact]
    public void UnknownLayerTypeIsNotSupported()
    {
        var trained = Small();
        var definition = trained.Definition with { Layers = [.. trained.Definition.Layers, new MysteryLayerSpec()] };
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(definition, trained.Weights, new OnnxExportOptions()));
        Assert.Contains(nameof(MysteryLayerSpec), error.Message);
    }

    [Fact]
    public void MissingOrMisshapenWeightsAreReported()
    {
        var trained = Small();
        var tensors = trained.Weights.Names.ToDictionary(n => n, n => trained.Weights[n]);

        var missing = new Dictionary<string, WeightTensor>(tensors);
        missing.Remove("1.bias");
        Assert.Throws<KeyNotFoundException>(() => OnnxExporter.Export(trained.Definition, new NetworkWeights(missing), new OnnxExportOptions()));

        var misshapen = new Dictionary<string, WeightTensor>(tensors) { ["1.bias"] = new WeightTensor([3], [1f, 2f, 3f]) };
        var error = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(trained.Definition, new NetworkWeights(misshapen), new OnnxExportOptions()));
        Assert.Contains("1.bias", error.Message);
    }

    [Fact]
    public void ExportToFileWritesLoadableModelAndLeavesNoTemporaryFile()
    {
        var trained = Small();
        string dir = Path.Combine(Path.GetTempPath(), $"mlnetmnist-onnx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "models", "model.onnx");
            File.WriteAllText(Path.Combine(dir, "unrelated.txt"), "x");
            var options = new OnnxExportOptions { Layout = OnnxLayout.Row, Metadata = { ["labels"] = "a,b" } };
            OnnxExporter.ExportToFile(trained.Definition, trained.Weights, options, path);
            OnnxExporter.ExportToFile(trained.Definition, trained.Weights, options, path); // overwrites

            Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
            Assert.Equal("a,b", OnnxModelInfo.ReadFile(path).Metadata["labels"]);
            using var session = new InferenceSession(path);
            var outputs = OnnxRunner.Run(session, "Features", trained.InputRow(0), [trained.Definition.InputSize]);
            AssertClose(trained.ProbabilityRow(0), ((OnnxRunner.Output<float>)outputs["Score"]).Values);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed record MysteryLayerSpec : LayerSpec;

    /// <summary>A tiny MLP, for tests about names, metadata and errors.</summary>
    private static TrainedNetwork Small() =>
        TrainedNetwork.Create(new NetworkDefinition("tiny", 1, 4, 4, 3,
            [TrainedNetwork.MnistNormalize, new LinearSpec(16, 8), new ReluSpec(), new LinearSpec(8, 3)]), seed: 3, batchSize: 4);

    private static void AssertBothLayoutsMatch(TrainedNetwork trained)
    {
        var definition = trained.Definition;

        byte[] batchModel = OnnxExporter.Export(definition, trained.Weights, new OnnxExportOptions { Layout = OnnxLayout.Batch });
        using (var session = new InferenceSession(batchModel))
        {
            var outputs = OnnxRunner.Run(session, "Features", trained.Inputs, [trained.BatchSize, definition.InputSize]);
            var score = (OnnxRunner.Output<float>)outputs["Score"];
            var index = (OnnxRunner.Output<long>)outputs["PredictedIndex"];
            Assert.Equal([trained.BatchSize, definition.Classes], score.Dimensions);
            Assert.Equal([trained.BatchSize], index.Dimensions);
            AssertClose(trained.Probabilities, score.Values);
            for (int row = 0; row < trained.BatchSize; row++)
                Assert.Equal(ArgMax(trained.ProbabilityRow(row)), index.Values[row]);
        }

        byte[] rowModel = OnnxExporter.Export(definition, trained.Weights, new OnnxExportOptions { Layout = OnnxLayout.Row });
        using (var session = new InferenceSession(rowModel))
        {
            for (int row = 0; row < trained.BatchSize; row++)
            {
                var outputs = OnnxRunner.Run(session, "Features", trained.InputRow(row), [definition.InputSize]);
                var score = (OnnxRunner.Output<float>)outputs["Score"];
                var index = (OnnxRunner.Output<long>)outputs["PredictedIndex"];
                Assert.Equal([definition.Classes], score.Dimensions);
                Assert.Equal([1], index.Dimensions);
                AssertClose(trained.ProbabilityRow(row), score.Values);
                Assert.Equal(ArgMax(trained.ProbabilityRow(row)), Assert.Single(index.Values));
            }
        }
    }

    /// <summary>Training updated the running statistics away from their initial 0 (mean) and 1 (variance).</summary>
    private static void AssertBatchNormStatisticsMoved(NetworkWeights weights)
    {
        foreach (string name in weights.Names.Where(n => n.EndsWith(".running_mean", StringComparison.Ordinal)))
            Assert.Contains(weights[name].Values, v => Math.Abs(v) > 1e-3f);
        foreach (string name in weights.Names.Where(n => n.EndsWith(".running_var", StringComparison.Ordinal)))
            Assert.Contains(weights[name].Values, v => Math.Abs(v - 1f) > 1e-3f);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDifference <= Tolerance, $"max |difference| {maxDifference:G3} exceeds {Tolerance:G3}");
    }

    private static long ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
