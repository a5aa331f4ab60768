using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Emits <see cref="AutoInvertSpec"/> as ONNX nodes (opset 17) on a <c>[N, D]</c> batch of raw pixel
/// rows: <c>Gather</c> the border pixels (axis 1), <c>ReduceMean</c> them per row, <c>Greater</c> than the
/// threshold, and <c>Where</c> that is true take <c>MaxValue - x</c> (<c>Sub</c>), else <c>x</c>.
/// The same computation as the TorchSharp module built by <c>NetworkBuilder</c> (MlNetMnist.TorchSharp).
/// </summary>
internal static class OnnxAutoInvertEmitter
{
    /// <summary>Adds the nodes for layer <paramref name="prefix"/>; returns the name of the (possibly inverted) rows.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="prefix">The layer's name prefix (its index).</param>
    /// <param name="spec">The layer.</param>
    /// <param name="input">The <c>[N, D]</c> input value.</param>
    public static string Emit(OnnxGraphBuilder graph, string prefix, AutoInvertSpec spec, string input)
    {
        long[] border = spec.BorderIndices();
        string indices = graph.AddInitializer($"{prefix}.border_indices", n => OnnxTensor.Int64(n, [border.Length], border));
        string threshold = graph.AddInitializer($"{prefix}.threshold", n => OnnxTensor.Float(n, [], [spec.Threshold]));
        string maxValue = graph.AddInitializer($"{prefix}.max_value", n => OnnxTensor.Float(n, [], [spec.MaxValue]));

        string borderPixels = graph.AddNode("Gather", $"{prefix}.border", [input, indices], [OnnxAttribute.Int("axis", 1)]);
        string mean = graph.AddNode("ReduceMean", $"{prefix}.border_mean", [borderPixels],
            [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        string light = graph.AddNode("Greater", $"{prefix}.light_background", [mean, threshold]);
        string inverted = graph.AddNode("Sub", $"{prefix}.inverted", [maxValue, input]);
        return graph.AddNode("Where", $"{prefix}.auto_invert", [light, inverted, input]);
    }
}
