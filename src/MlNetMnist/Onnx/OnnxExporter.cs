using MlNetMnist.Reports;
using System.Globalization;
using MlNetMnist.Calibration;
using MlNetMnist.Images;
using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Writes a trained network as an ONNX model (IR version 8, opset 17) that takes raw pixel values (or,
/// with <see cref="OnnxExportOptions.ImageInput"/>, the planes of a real-world image, centred like MNIST
/// inside the graph) and outputs softmax class probabilities and, optionally, the index of the most
/// probable class.
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
    /// <exception cref="ArgumentException">Names collide, a weight has the wrong shape, or <see cref="OnnxExportOptions.ImageInput"/> does not centre into the network's one-channel input size.</exception>
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
        string x = AddNetworkInput(graph, options, definition, batch);

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
            $"{definition.Name}: {DescribeInput(options, definition)} -> {definition.Classes} class probabilities ({options.Layout} layout).");
        var model = new OnnxModel(IrVersion, OpsetVersion, ProducerName, ProducerVersion, doc,
            graph.Build(definition.Name, doc), MetadataOf(options, definition),
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

    /// <summary>
    /// Declares the graph input of <paramref name="options"/> and returns the <c>[N, InputSize]</c> value the
    /// network reads: the input itself (raw pixels), or, with <see cref="OnnxExportOptions.ImageInput"/>, the
    /// output of the MNIST-style centring (<see cref="OnnxCentringEmitter"/>) of the image planes. Shared by
    /// single networks and ensembles.
    /// </summary>
    internal static string AddNetworkInput(OnnxGraphBuilder graph, OnnxExportOptions options, NetworkDefinition definition, OnnxDimension batch)
    {
        bool row = options.Layout == OnnxLayout.Row;
        if (options.ImageInput is not { } image)
        {
            var inputSize = OnnxDimension.Fixed(definition.InputSize);
            graph.AddInput(new OnnxValueInfo(options.InputName, OnnxElementType.Float, row ? [inputSize] : [batch, inputSize]));
            return row ? Reshape(graph, "input_to_batch", options.InputName, [1, definition.InputSize]) : options.InputName;
        }

        var spec = CentringOf(image, definition);
        int s = image.WorkingSize;
        var side = OnnxDimension.Fixed(s);
        var planes = OnnxDimension.Fixed(4);
        graph.AddInput(new OnnxValueInfo(options.InputName, OnnxElementType.Float, row ? [planes, side, side] : [batch, planes, side, side]));
        string images = row ? Reshape(graph, "input_to_batch", options.InputName, [1, 4, s, s]) : options.InputName;
        string centred = new OnnxCentringEmitter(graph, spec, s).Emit(images);
        return Reshape(graph, "centred_to_rows", centred, [-1, definition.InputSize]);
    }

    /// <summary>The centring of <paramref name="image"/>, checked against the network it feeds.</summary>
    /// <exception cref="ArgumentException">The options do not centre, keep colour, or give another size than the network reads.</exception>
    internal static MnistCentringSpec CentringOf(DigitImageInputOptions image, NetworkDefinition definition)
    {
        try
        {
            image.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"OnnxExportOptions.ImageInput: {e.Message}", nameof(image), e);
        }
        if (!image.CentreByMass || image.KeepColor)
            throw new ArgumentException("OnnxExportOptions.ImageInput must centre by mass into one gray channel (CentreByMass = true, KeepColor = false): only that chain is an ONNX graph; export without ImageInput for the plain chain.", nameof(image));
        if (definition.Channels != 1 || definition.Height != image.Height || definition.Width != image.Width)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"OnnxExportOptions.ImageInput centres into 1x{image.Height}x{image.Width}; the network {definition.Name} reads {definition.Channels}x{definition.Height}x{definition.Width}."), nameof(image));
        return image.ToCentringSpec();
    }

    /// <summary>What the graph input holds, for the model's doc string.</summary>
    internal static string DescribeInput(OnnxExportOptions options, NetworkDefinition definition) => options.ImageInput is { } image
        ? string.Create(CultureInfo.InvariantCulture,
            $"ARGB planes (0-255) of an image fitted into {image.WorkingSize}x{image.WorkingSize} (aspect kept, transparent padding) -> MNIST-style centring into {image.Height}x{image.Width} (box {image.BoxSize}, centre of mass) -> {definition.Name}")
        : string.Create(CultureInfo.InvariantCulture, $"{definition.Channels}x{definition.Height}x{definition.Width} raw pixels (0-255)");

    internal static string Reshape(OnnxGraphBuilder graph, string name, string input, long[] shape, string? output = null)
    {
        string shapeName = graph.AddInitializer($"{name}.shape", n => OnnxTensor.Int64(n, [shape.Length], shape));
        return graph.AddNode("Reshape", name, [input, shapeName], output: output);
    }

    /// <summary>
    /// The model's metadata: the calibration, then <see cref="OnnxExportOptions.Metadata"/>; with
    /// <see cref="OnnxExportOptions.ImageInput"/>, the input is described as image planes (<c>input_shape</c>,
    /// <c>input_layout</c>, <c>input_values</c> replaced; <c>working_size</c>, <c>centring</c> and
    /// <c>network_input_shape</c> added).
    /// </summary>
    internal static List<KeyValuePair<string, string>> MetadataOf(OnnxExportOptions options, NetworkDefinition definition)
    {
        var metadata = MetadataOf(options);
        if (options.ImageInput is not { } image) return metadata;
        int s = image.WorkingSize;
        var described = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["input_shape"] = string.Create(CultureInfo.InvariantCulture, $"4x{s}x{s}"),
            ["input_layout"] = string.Create(CultureInfo.InvariantCulture,
                $"planes alpha, red, green, blue (in that order), each {s}x{s} row-major: the image fitted into {s}x{s} keeping its aspect ratio (longer side {s}), the rest transparent (all four planes 0); ML.NET: ResizeImages({s}, {s}, IsoPad) then ExtractPixels(ColorBits.All, ColorsOrder.ARGB, interleavePixelColors: false)"),
            ["input_values"] = "0-255 per plane (no scaling, no offset); the MNIST-style centring (polarity, ink against paper, box, centre of mass) and the network's normalisation are inside the graph",
            ["working_size"] = s.ToString(CultureInfo.InvariantCulture),
            ["centring"] = image.ToCentringSpec().ToString(),
            ["network_input_shape"] = string.Create(CultureInfo.InvariantCulture, $"{definition.Channels}x{definition.Height}x{definition.Width}"),
        };
        metadata.RemoveAll(e => described.ContainsKey(e.Key));
        metadata.AddRange(described);
        return metadata;
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
