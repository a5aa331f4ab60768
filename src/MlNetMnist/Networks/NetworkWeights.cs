namespace MlNetMnist.Networks;

/// <summary>One named tensor of a trained network, copied to managed memory (row-major).</summary>
/// <param name="Shape">Tensor shape.</param>
/// <param name="Values">Values, row-major.</param>
public sealed record WeightTensor(long[] Shape, float[] Values);

/// <summary>
/// The state (parameters and buffers such as batch-norm running statistics) of a network, keyed like
/// TorchSharp's state dictionary (<c>"3.weight"</c>: layer 3's weight).
/// Integer buffers (<c>num_batches_tracked</c>) are left out.
/// </summary>
public sealed class NetworkWeights
{
    private readonly Dictionary<string, WeightTensor> _tensors;

    /// <summary>Creates weights from named tensors.</summary>
    public NetworkWeights(IDictionary<string, WeightTensor> tensors) => _tensors = new Dictionary<string, WeightTensor>(tensors);

    /// <summary>Names of all tensors.</summary>
    public IEnumerable<string> Names => _tensors.Keys;

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    public WeightTensor this[string name] =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"The network has no tensor named '{name}'.");

    /// <summary>True when a tensor called <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);
}
