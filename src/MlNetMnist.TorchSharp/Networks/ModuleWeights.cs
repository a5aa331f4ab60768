using static TorchSharp.torch;

namespace MlNetMnist.Networks;

/// <summary>Copies the trained state of a TorchSharp module into <see cref="NetworkWeights"/>.</summary>
internal static class ModuleWeights
{
    /// <summary>
    /// Copies the floating-point state (parameters and buffers) of <paramref name="module"/> to managed
    /// memory, keyed like its state dictionary. Integer buffers (<c>num_batches_tracked</c>) are left out.
    /// </summary>
    public static NetworkWeights Read(nn.Module module)
    {
        var result = new Dictionary<string, WeightTensor>();
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!is_floating_point(tensor)) continue;
            var cpu = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
            result[name] = new WeightTensor(cpu.shape.ToArray(), cpu.data<float>().ToArray());
        }
        return new NetworkWeights(result);
    }
}
