using System.Globalization;
using MlNetMnist.Networks;

namespace MlNetMnist.Onnx;

/// <summary>
/// Turns the layers of a <see cref="NetworkDefinition"/> into ONNX nodes on a <c>[N, ...]</c> batch,
/// with layer <c>i</c>'s parameters as initializers named like the TorchSharp state dictionary
/// (<c>"{i}.weight"</c>, <c>"{i}.bias"</c>, <c>"{i}.running_mean"</c>, ...), each name preceded by
/// <paramref name="namePrefix"/> (several networks in one graph, e.g. the members of an ensemble).
/// </summary>
internal sealed class OnnxLayerEmitter(OnnxGraphBuilder graph, NetworkWeights weights, string namePrefix = "")
{
    /// <summary>Adds the nodes of layer <paramref name="index"/>; returns the name of its output value.</summary>
    /// <exception cref="NotSupportedException">The layer type has no ONNX translation.</exception>
    public string Emit(int index, LayerSpec layer, string input)
    {
        string p = namePrefix + index.ToString(CultureInfo.InvariantCulture);
        switch (layer)
        {
            case NormalizeSpec n:
            {
                string scale = Constant($"{p}.scale", n.Scale);
                string shift = Constant($"{p}.shift", n.Shift);
                string scaled = graph.AddNode("Mul", $"{p}.normalize_mul", [input, scale]);
                return graph.AddNode("Add", $"{p}.normalize_add", [scaled, shift]);
            }
            case AutoInvertSpec a:
                return OnnxAutoInvertEmitter.Emit(graph, p, a, input);
            case ReshapeToImageSpec r:
            {
                string shape = graph.AddInitializer($"{p}.shape", name => OnnxTensor.Int64(name, [4], [-1, r.Channels, r.Height, r.Width]));
                return graph.AddNode("Reshape", $"{p}.reshape_to_image", [input, shape]);
            }
            case Conv2dSpec c:
            {
                var inputs = new List<string> { input, Weight(p, "weight", c.OutChannels, c.InChannels, c.Kernel, c.Kernel) };
                if (c.Bias) inputs.Add(Weight(p, "bias", c.OutChannels));
                return graph.AddNode("Conv", $"{p}.conv", inputs,
                [
                    OnnxAttribute.Ints("kernel_shape", c.Kernel, c.Kernel),
                    OnnxAttribute.Ints("strides", c.Stride, c.Stride),
                    OnnxAttribute.Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding),
                ]);
            }
            case BatchNorm2dSpec b:
                return BatchNorm(p, b.Channels, b.Epsilon, input);
            case BatchNorm1dSpec b:
                return BatchNorm(p, b.Features, b.Epsilon, input);
            case ReluSpec:
                return graph.AddNode("Relu", $"{p}.relu", [input]);
            case MaxPool2dSpec m:
                return graph.AddNode("MaxPool", $"{p}.max_pool", [input],
                [
                    OnnxAttribute.Ints("kernel_shape", m.Kernel, m.Kernel),
                    OnnxAttribute.Ints("strides", m.Stride, m.Stride),
                ]);
            case GlobalAvgPoolSpec:
            {
                string pooled = graph.AddNode("GlobalAveragePool", $"{p}.global_avg_pool", [input]);
                return Flatten($"{p}.flatten", pooled);
            }
            case DropoutSpec:
                return input;
            case FlattenSpec:
                return Flatten($"{p}.flatten", input);
            case LinearSpec l:
            {
                var inputs = new List<string> { input, Weight(p, "weight", l.OutFeatures, l.InFeatures) };
                if (l.Bias) inputs.Add(Weight(p, "bias", l.OutFeatures));
                return graph.AddNode("Gemm", $"{p}.linear", inputs, [OnnxAttribute.Int("transB", 1)]);
            }
            default:
                throw new NotSupportedException($"Layer {index} ({layer.GetType().Name}: {layer}) cannot be exported to ONNX.");
        }
    }

    private string BatchNorm(string p, int channels, double epsilon, string input) =>
        graph.AddNode("BatchNormalization", $"{p}.batch_norm",
            [input, Weight(p, "weight", channels), Weight(p, "bias", channels), Weight(p, "running_mean", channels), Weight(p, "running_var", channels)],
            [OnnxAttribute.Float("epsilon", (float)epsilon)]);

    private string Flatten(string name, string input) => graph.AddNode("Flatten", name, [input], [OnnxAttribute.Int("axis", 1)]);

    private string Constant(string name, float value) => graph.AddInitializer(name, n => OnnxTensor.Float(n, [], [value]));

    /// <summary>Adds the state tensor <c>"{prefix}.{suffix}"</c> as an initializer after checking its shape.</summary>
    private string Weight(string prefix, string suffix, params long[] expectedShape)
    {
        // The state key has the layer index only; the initializer is named with the prefix.
        string key = $"{prefix[namePrefix.Length..]}.{suffix}";
        var tensor = weights[key];
        if (!tensor.Shape.SequenceEqual(expectedShape))
            throw new ArgumentException(
                $"Weight '{key}' has shape [{string.Join(", ", tensor.Shape)}] but the network definition needs [{string.Join(", ", expectedShape)}].");
        return graph.AddInitializer($"{prefix}.{suffix}", name => OnnxTensor.Float(name, tensor.Shape, tensor.Values));
    }
}
