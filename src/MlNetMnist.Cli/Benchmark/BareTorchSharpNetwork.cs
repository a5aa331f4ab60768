using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// A network written directly with TorchSharp's modules (<c>nn.Conv2d</c>, <c>nn.BatchNorm2d</c>, ...),
/// the way a TorchSharp user would, following the layer list of a <see cref="NetworkDefinition"/> (read
/// as a description only: no library code builds or runs it). The input normalisation and the reshape
/// to images are not layers here: the caller applies them to the input (once to the whole training set,
/// or per batch when scoring). Layer <c>i</c> of the definition is the child named <c>i</c>, so weights
/// keyed like the library's (<c>"{i}.weight"</c>) load by name.
/// </summary>
internal static class BareTorchSharpNetwork
{
    /// <summary>The network of <paramref name="definition"/> without its leading normalisation and reshape (TorchSharp's default initialisation).</summary>
    public static nn.Module<Tensor, Tensor> Build(NetworkDefinition definition)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < definition.Layers.Count; i++)
        {
            string name = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (definition.Layers[i])
            {
                case NormalizeSpec or ReshapeToImageSpec when modules.Count == 0:
                    break;
                case Conv2dSpec c:
                    modules.Add((name, nn.Conv2d(c.InChannels, c.OutChannels, c.Kernel, stride: c.Stride, padding: c.Padding, bias: c.Bias)));
                    break;
                case BatchNorm2dSpec b:
                    modules.Add((name, nn.BatchNorm2d(b.Channels, b.Epsilon, b.Momentum)));
                    break;
                case BatchNorm1dSpec b:
                    modules.Add((name, nn.BatchNorm1d(b.Features, b.Epsilon, b.Momentum)));
                    break;
                case ReluSpec:
                    modules.Add((name, nn.ReLU()));
                    break;
                case MaxPool2dSpec m:
                    modules.Add((name, nn.MaxPool2d(m.Kernel, m.Stride)));
                    break;
                case GlobalAvgPoolSpec:
                    modules.Add((name, nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())));
                    break;
                case DropoutSpec d:
                    modules.Add((name, nn.Dropout(d.Probability)));
                    break;
                case FlattenSpec:
                    modules.Add((name, nn.Flatten()));
                    break;
                case LinearSpec l:
                    modules.Add((name, nn.Linear(l.InFeatures, l.OutFeatures, hasBias: l.Bias)));
                    break;
                default:
                    throw new NotSupportedException($"The bare TorchSharp network has no counterpart of layer {i} ({definition.Layers[i]}).");
            }
        }
        return nn.Sequential(modules.ToArray());
    }

    /// <summary>Copies <paramref name="weights"/> (keyed <c>"{i}.weight"</c>, ...) into the module's parameters and buffers; evaluation mode.</summary>
    public static void LoadWeights(nn.Module<Tensor, Tensor> module, NetworkWeights weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
        {
            if (!is_floating_point(target)) continue;
            // A GlobalAvgPool's inner Sequential has no parameters, so every name is "{i}.{tensor}".
            var source = weights[name];
            using var values = tensor(source.Values, source.Shape);
            target.copy_(values);
        }
        module.eval();
    }

    /// <summary>
    /// Raw pixel rows <c>[N, InputSize]</c> made ready for the network: <c>x * scale + shift</c> and, if
    /// the definition reshapes to images, viewed as <c>[N, C, H, W]</c>.
    /// </summary>
    public static Tensor PrepareInput(Tensor pixels, NetworkDefinition definition, double scale, double shift)
    {
        var x = pixels.mul(scale).add_(shift);
        return definition.Layers.Count > 1 && definition.Layers[1] is ReshapeToImageSpec r
            ? x.view(-1, r.Channels, r.Height, r.Width)
            : x;
    }
}
