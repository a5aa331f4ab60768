namespace MlNetMnist.Networks;

/// <summary>
/// Folds inference-mode batch normalisation into the convolution or linear layer before it:
/// <c>BN(conv(x)) = conv'(x)</c> with <c>w' = w * g</c> and <c>b' = beta + (b - mean) * g</c>, where
/// <c>g = gamma / sqrt(var + eps)</c> per output channel. The folded network computes the same outputs
/// in evaluation mode (up to float rounding) with fewer passes over the activations; it cannot be
/// trained further (the running statistics are gone). Dropout, an identity at inference, is left out.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>True when <paramref name="definition"/> has a batch norm that <see cref="Fold"/> would remove.</summary>
    public static bool CanFold(NetworkDefinition definition)
    {
        var layers = definition.Layers;
        for (int i = 0; i + 1 < layers.Count; i++)
            if (IsFoldablePair(layers[i], layers[i + 1])) return true;
        return false;
    }

    /// <summary>
    /// The inference form of <paramref name="definition"/> and <paramref name="weights"/>: each
    /// convolution or linear layer directly followed by a batch norm of the same width becomes one layer
    /// with a bias, and dropout layers are removed. Other layers keep their weights (renumbered).
    /// </summary>
    public static (NetworkDefinition Definition, NetworkWeights Weights) Fold(NetworkDefinition definition, NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(weights);
        var layers = definition.Layers;
        var folded = new List<LayerSpec>();
        var tensors = new Dictionary<string, WeightTensor>();
        for (int i = 0; i < layers.Count; i++)
        {
            string to = Index(folded.Count);
            var layer = layers[i];
            if (layer is DropoutSpec) continue;
            if (i + 1 < layers.Count && IsFoldablePair(layer, layers[i + 1]))
            {
                double epsilon = layers[i + 1] switch
                {
                    BatchNorm2dSpec b => b.Epsilon,
                    BatchNorm1dSpec b => b.Epsilon,
                    _ => throw new InvalidOperationException("Not a batch norm."),
                };
                var (weight, bias) = FoldPair(weights, Index(i), Index(i + 1), epsilon);
                tensors[to + ".weight"] = weight;
                tensors[to + ".bias"] = bias;
                folded.Add(layer switch
                {
                    Conv2dSpec c => c with { Bias = true },
                    LinearSpec l => l with { Bias = true },
                    _ => layer,
                });
                i++;
                continue;
            }
            string from = Index(i) + ".";
            foreach (var name in weights.Names.Where(n => n.StartsWith(from, StringComparison.Ordinal)))
                tensors[to + "." + name[from.Length..]] = weights[name];
            folded.Add(layer);
        }
        return (definition with { Layers = folded }, new NetworkWeights(tensors));
    }

    private static bool IsFoldablePair(LayerSpec layer, LayerSpec next) => (layer, next) switch
    {
        (Conv2dSpec c, BatchNorm2dSpec b) => c.OutChannels == b.Channels,
        (LinearSpec l, BatchNorm1dSpec b) => l.OutFeatures == b.Features,
        _ => false,
    };

    private static (WeightTensor Weight, WeightTensor Bias) FoldPair(NetworkWeights weights, string layer, string norm, double epsilon)
    {
        var w = weights[layer + ".weight"];
        int outputs = checked((int)w.Shape[0]);
        int perOutput = w.Values.Length / outputs;
        var bias = weights.Contains(layer + ".bias") ? weights[layer + ".bias"].Values : new float[outputs];
        var gamma = weights[norm + ".weight"].Values;
        var beta = weights[norm + ".bias"].Values;
        var mean = weights[norm + ".running_mean"].Values;
        var variance = weights[norm + ".running_var"].Values;

        var foldedWeight = new float[w.Values.Length];
        var foldedBias = new float[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double g = gamma[o] / Math.Sqrt(variance[o] + epsilon);
            for (int k = 0; k < perOutput; k++)
                foldedWeight[o * perOutput + k] = (float)(w.Values[o * perOutput + k] * g);
            foldedBias[o] = (float)(beta[o] + (bias[o] - mean[o]) * g);
        }
        return (new WeightTensor((long[])w.Shape.Clone(), foldedWeight), new WeightTensor(new long[] { outputs }, foldedBias));
    }

    private static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
