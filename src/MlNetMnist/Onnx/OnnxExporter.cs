using MlNetMnist.Reports;
using System.Globalization;
using MlNetMnist.Calibration;
using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Writes a trained network as an ONNX model (IR version 8, opset 17) that takes raw pixel values and
/// outputs softmax class probabilities and, optionally, the index of the most probable class.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX IR version written.</summary>
    public const int IrVersion = 8;

    /// <summary>The version of the default operator set used.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The producer name written to the model.</summary>
    public const string ProducerName = "MlNetMnist";

    /// <summary>Encodes <paramref name="definition"/> with <paramref name="weights"/> as an ONNX model.</summary>
    /// <param name="definition">The network's layers and shapes.</param>
    /// <param name="weights">The trained state, keyed like the TorchSharp state dictionary (see <c>NetworkBuilder</c> (MlNetMnist.TorchSharp)).</param>
    /// <param name="options">Layout, names and metadata.</param>
    /// <returns>The serialised <c>ModelProto</c>.</returns>
    /// <exception cref="NotSupportedException">A layer type has no ONNX translation.</exception>
    /// <exception cref="ArgumentException">Names collide or a weight has the wrong shape.</exception>
    /// <exception cref="KeyNotFoundException">A weight the definition needs is missing.</exception>
    public static byte[] Export(NetworkDefinition definition, NetworkWeights weights, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(options);

        var graph = new OnnxGraphBuilder();
        graph.Reserve(options.InputName);
        graph.Reserve(options.ScoreName);
        if (options.PredictedIndexName is not null) graph.Reserve(options.PredictedIndexName);
        var calibration = options.Calibration ?? OutputCalibration.None;
        calibration.Validate();
        var ood = calibration.OutOfDistribution;
        if (ood is not null) graph.Reserve(options.OutOfDistributionName);

        bool row = options.Layout == OnnxLayout.Row;
        var batch = OnnxDimension.Symbolic("N");
        var inputSize = OnnxDimension.Fixed(definition.InputSize);

        graph.AddInput(new OnnxValueInfo(options.InputName, OnnxElementType.Float, row ? [inputSize] : [batch, inputSize]));
        string x = options.InputName;
        if (row) x = Reshape(graph, "input_to_batch", x, [1, definition.InputSize]);

        var emitter = new OnnxLayerEmitter(graph, weights);
        string pixels = x; // the input after the network's polarity step, for the ink statistics
        for (int i = 0; i < definition.Layers.Count; i++)
        {
            x = emitter.Emit(i, definition.Layers[i], x);
            if (i == 0 && definition.Layers[0] is AutoInvertSpec) pixels = x;
        }
        string logits = x;
        x = OnnxCalibrationEmitter.Temperature(graph, logits, calibration.Temperature);

        var softmaxAxis = new[] { OnnxAttribute.Int("axis", -1) };
        string probabilities;
        if (row)
        {
            probabilities = graph.AddNode("Softmax", "softmax", [x], softmaxAxis);
            Reshape(graph, "score_to_row", probabilities, [definition.Classes], options.ScoreName);
        }
        else
        {
            probabilities = graph.AddNode("Softmax", "softmax", [x], softmaxAxis, options.ScoreName);
        }
        AddScoreOutputs(graph, options, definition.Classes, batch);

        if (ood is not null)
        {
            var size = OnnxDimension.Fixed(OutOfDistributionStatistics.Count + 1);
            if (row)
            {
                string scores = OnnxCalibrationEmitter.OutOfDistribution(graph, definition, pixels, logits, probabilities, ood, null);
                Reshape(graph, "ood_to_row", scores, [OutOfDistributionStatistics.Count + 1], options.OutOfDistributionName);
            }
            else
            {
                OnnxCalibrationEmitter.OutOfDistribution(graph, definition, pixels, logits, probabilities, ood, options.OutOfDistributionName);
            }
            graph.AddOutput(new OnnxValueInfo(options.OutOfDistributionName, OnnxElementType.Float, row ? [size] : [batch, size]));
        }

        string doc = string.Create(CultureInfo.InvariantCulture,
            $"{definition.Name}: {definition.Channels}x{definition.Height}x{definition.Width} raw pixels (0-255) -> {definition.Classes} class probabilities ({options.Layout} layout).");
        var model = new OnnxModel(IrVersion, OpsetVersion, ProducerName, ProducerVersion, doc,
            graph.Build(definition.Name, doc), MetadataOf(options),
            graph.ExtraDomains.Select(d => new KeyValuePair<string, long>(d, OnnxSlotNames.DomainVersion(d))).ToArray());
        return model.ToBytes();
    }

    /// <summary>
    /// Exports like <see cref="Export"/> and writes the model to <paramref name="path"/> atomically
    /// (a temporary file in the same folder, then moved over the destination).
    /// </summary>
    /// <param name="definition">The network's layers and shapes.</param>
    /// <param name="weights">The trained state.</param>
    /// <param name="options">Layout, names and metadata.</param>
    /// <param name="path">Destination file; its folder is created if missing.</param>
    public static void ExportToFile(NetworkDefinition definition, NetworkWeights weights, OnnxExportOptions options, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = Export(definition, weights, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    internal static string ProducerVersion =>
        typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Declares the graph's outputs once the node writing <see cref="OnnxExportOptions.ScoreName"/> is in:
    /// the score (with the class names as slot names when given) and, when asked, the index of the most
    /// probable class. Shared by single networks and ensembles.
    /// </summary>
    internal static void AddScoreOutputs(OnnxGraphBuilder graph, OnnxExportOptions options, int classCount, OnnxDimension batch)
    {
        bool row = options.Layout == OnnxLayout.Row;
        var classes = OnnxDimension.Fixed(classCount);
        graph.AddOutput(new OnnxValueInfo(options.ScoreName, OnnxElementType.Float, row ? [classes] : [batch, classes]));
        if (options.ClassNames is { } classNames)
            OnnxSlotNames.Add(graph, options.ScoreName, classNames, classCount);

        if (options.PredictedIndexName is not null)
        {
            // Row layout: [1], the only form of a single index that ML.NET's OnnxTransformer can read (see OnnxLayout.Row).
            graph.AddNode("ArgMax", "argmax", [options.ScoreName],
                [OnnxAttribute.Int("axis", row ? 0 : 1), OnnxAttribute.Int("keepdims", row ? 1 : 0)], options.PredictedIndexName);
            OnnxDimension[] indexShape = row ? [OnnxDimension.Fixed(1)] : [batch];
            graph.AddOutput(new OnnxValueInfo(options.PredictedIndexName, OnnxElementType.Int64, indexShape));
        }
    }

    internal static string Reshape(OnnxGraphBuilder graph, string name, string input, long[] shape, string? output = null)
    {
        string shapeName = graph.AddInitializer($"{name}.shape", n => OnnxTensor.Int64(n, [shape.Length], shape));
        return graph.AddNode("Reshape", name, [input, shapeName], output: output);
    }

    internal static List<KeyValuePair<string, string>> MetadataOf(OnnxExportOptions options)
    {
        var metadata = new List<KeyValuePair<string, string>>();
        if (options.Calibration is { } calibration)
        {
            metadata.Add(new("temperature", calibration.Temperature.ToString("R", CultureInfo.InvariantCulture)));
            if (calibration.OutOfDistribution is { } ood)
                metadata.Add(new("out_of_distribution", string.Create(CultureInfo.InvariantCulture,
                    $"{options.OutOfDistributionName}: slot 0 = score (> 0 flags; calibrated to flag {ood.FlagRate:P2} of {ood.CalibrationRows} held-out digits), then {string.Join(", ", OutOfDistributionStatistics.Names)}")));
        }
        if (options.Metadata is null) return metadata;
        foreach (var (key, value) in options.Metadata)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("ONNX metadata keys must not be empty.");
            metadata.Add(new(key, value ?? throw new ArgumentException($"ONNX metadata '{key}' has no value.")));
        }
        return metadata;
    }
}
