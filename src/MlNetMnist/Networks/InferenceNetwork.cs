namespace MlNetMnist.Networks;

/// <summary>
/// Rewrites a trained network into an equivalent one that is cheaper to run in evaluation mode:
/// batch norms folded into the layer before them and dropout removed (<see cref="BatchNormFolding"/>),
/// max pooling moved in front of the ReLU before it (<c>pool(relu(x)) = relu(pool(x))</c>, so the ReLU
/// touches a quarter of the values), and the input normalisation folded into a first convolution
/// without padding (<c>conv(x * s + t) = conv'(x)</c> with <c>w' = w * s</c>, <c>b' = b + t * sum(w)</c>).
/// The outputs are the same up to float rounding; the result cannot be trained further.
/// </summary>
public static class InferenceNetwork
{
    /// <summary>The rewritten definition and weights (unchanged when nothing applies).</summary>
    public static (NetworkDefinition Definition, NetworkWeights Weights) Create(NetworkDefinition definition, NetworkWeights weights)
    {
        var (folded, foldedWeights) = BatchNormFolding.Fold(definition, weights);
        folded = PoolBeforeRelu(folded);
        return FoldNormalization(folded, foldedWeights);
    }

    /// <summary>True when <see cref="Create"/> changes <paramref name="definition"/>.</summary>
    public static bool Improves(NetworkDefinition definition) =>
        BatchNormFolding.CanFold(definition) || definition.Layers.Any(l => l is DropoutSpec)
        || HasReluBeforePool(definition.Layers) || NormalizationFoldTarget(definition.Layers) is not null;

    private static bool HasReluBeforePool(IReadOnlyList<LayerSpec> layers)
    {
        for (int i = 0; i + 1 < layers.Count; i++)
            if (layers[i] is ReluSpec && layers[i + 1] is MaxPool2dSpec) return true;
        return false;
    }

    /// <summary>Layer weights keep their indices: the swap exchanges two layers that have none.</summary>
    private static NetworkDefinition PoolBeforeRelu(NetworkDefinition definition)
    {
        var layers = definition.Layers.ToList();
        for (int i = 0; i + 1 < layers.Count; i++)
            if (layers[i] is ReluSpec && layers[i + 1] is MaxPool2dSpec)
            {
                (layers[i], layers[i + 1]) = (layers[i + 1], layers[i]);
                i++;
            }
        return definition with { Layers = layers };
    }

    /// <summary>The index of the convolution the normalisation at index 0 can fold into, or null.</summary>
    private static int? NormalizationFoldTarget(IReadOnlyList<LayerSpec> layers)
    {
        if (layers.Count < 3 || layers[0] is not NormalizeSpec || layers[1] is not ReshapeToImageSpec) return null;
        return layers[2] is Conv2dSpec { Padding: 0 } ? 2 : null;
    }

    private static (NetworkDefinition, NetworkWeights) FoldNormalization(NetworkDefinition definition, NetworkWeights weights)
    {
        if (NormalizationFoldTarget(definition.Layers) is not int conv) return (definition, weights);
        var normalize = (NormalizeSpec)definition.Layers[0];
        var spec = (Conv2dSpec)definition.Layers[conv];
        var w = weights[$"{conv}.weight"];
        int outputs = checked((int)w.Shape[0]);
        int perOutput = w.Values.Length / outputs;
        var bias = weights.Contains($"{conv}.bias") ? weights[$"{conv}.bias"].Values : new float[outputs];
        var newWeight = new float[w.Values.Length];
        var newBias = new float[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = 0;
            for (int k = 0; k < perOutput; k++)
            {
                float value = w.Values[o * perOutput + k];
                sum += value;
                newWeight[o * perOutput + k] = value * normalize.Scale;
            }
            newBias[o] = (float)(bias[o] + normalize.Shift * sum);
        }

        // Drop layer 0 (the normalisation): every later layer's index moves down by one.
        var tensors = new Dictionary<string, WeightTensor>();
        foreach (var name in weights.Names)
        {
            int dot = name.IndexOf('.');
            int index = int.Parse(name[..dot], System.Globalization.CultureInfo.InvariantCulture);
            tensors[(index - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + name[dot..]] = weights[name];
        }
        tensors[$"{conv - 1}.weight"] = new WeightTensor((long[])w.Shape.Clone(), newWeight);
        tensors[$"{conv - 1}.bias"] = new WeightTensor(new long[] { outputs }, newBias);
        var layers = definition.Layers.Skip(1).ToList();
        layers[conv - 1] = spec with { Bias = true };
        return (definition with { Layers = layers }, new NetworkWeights(tensors));
    }
}
