using System.Globalization;
using MlNetMnist.Images;

namespace MlNetMnist.Onnx;

/// <summary>
/// Writes the MNIST-style centring (<see cref="MnistCentringSpec"/>) as a standalone ONNX model: the
/// graph that the image chain of <see cref="DigitImageCatalog.DigitImageInput"/> runs with ML.NET's
/// <c>OnnxTransformer</c> between <c>ExtractPixels</c> and the classifier.
/// </summary>
internal static class OnnxCentringExporter
{
    /// <summary>
    /// The model: input <c>float [4, S, S]</c> (row layout, for ML.NET) or <c>[N, 4, S, S]</c> (batch) of
    /// alpha, red, green and blue planes (0-255) of an image fitted into S x S keeping its aspect ratio
    /// with transparent padding; output <c>float [Height * Width]</c> (or <c>[N, Height * Width]</c>) raw
    /// pixel values 0-255, light ink on dark.
    /// </summary>
    public static byte[] Export(MnistCentringSpec spec, int workingSize, string inputName, string outputName, OnnxLayout layout)
    {
        var graph = new OnnxGraphBuilder();
        graph.Reserve(inputName);
        graph.Reserve(outputName);
        bool row = layout == OnnxLayout.Row;
        var side = OnnxDimension.Fixed(workingSize);
        var planes = OnnxDimension.Fixed(4);
        var batch = OnnxDimension.Symbolic("N");
        int outputSize = spec.Width * spec.Height;
        graph.AddInput(new OnnxValueInfo(inputName, OnnxElementType.Float, row ? [planes, side, side] : [batch, planes, side, side]));

        string images = inputName;
        if (row) images = Reshape(graph, "input_to_batch", images, [1, 4, workingSize, workingSize]);
        string centred = new OnnxCentringEmitter(graph, spec, workingSize).Emit(images);
        Reshape(graph, "to_rows", centred, row ? [outputSize] : [-1, outputSize], outputName);
        graph.AddOutput(new OnnxValueInfo(outputName, OnnxElementType.Float, row ? [OnnxDimension.Fixed(outputSize)] : [batch, OnnxDimension.Fixed(outputSize)]));

        string doc = string.Create(CultureInfo.InvariantCulture,
            $"MNIST-style centring: ARGB planes of an image fitted into {workingSize}x{workingSize} (transparent padding) -> {spec.Width}x{spec.Height} pixels 0-255, light ink on dark, the digit's box scaled to {spec.BoxSize} and centred by mass ({layout} layout).");
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("working_size", workingSize.ToString(CultureInfo.InvariantCulture)),
            new("output_shape", $"1x{spec.Height}x{spec.Width}"),
            new("centring", spec.ToString()),
        };
        return new OnnxModel(OnnxExporter.IrVersion, OnnxExporter.OpsetVersion, OnnxExporter.ProducerName, typeof(OnnxCentringExporter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            doc, graph.Build("mnist-centring", doc), metadata).ToBytes();
    }

    private static string Reshape(OnnxGraphBuilder graph, string name, string input, long[] shape, string? output = null)
    {
        string shapeName = graph.AddInitializer($"{name}.shape", n => OnnxTensor.Int64(n, [shape.Length], shape));
        return graph.AddNode("Reshape", name, [input, shapeName], output: output);
    }
}
