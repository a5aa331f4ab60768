using TorchSharp;
using static TorchSharp.torch;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace MlNetMnist.Networks;

/// <summary>
/// Builds a TorchSharp module from a <see cref="NetworkDefinition"/>. Layer <c>i</c> of the definition
/// is the child module named <c>i</c>, so its parameters are <c>"{i}.weight"</c>, <c>"{i}.bias"</c>,
/// <c>"{i}.running_mean"</c> and so on in the state dictionary.
/// </summary>
public static class NetworkBuilder
{
    /// <summary>Creates the module (on the CPU, in training mode, with TorchSharp's default initialisation).</summary>
    public static nn.Module<Tensor, Tensor> Build(NetworkDefinition definition)
    {
        var modules = definition.Layers.Select((layer, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), Create(layer)));
        return nn.Sequential(modules.ToArray());
    }

    private static TorchModule Create(LayerSpec layer) => layer switch
    {
        NormalizeSpec n => new AffineNormalize(n.Scale, n.Shift),
        ReshapeToImageSpec r => nn.Unflatten(1, new long[] { r.Channels, r.Height, r.Width }),
        Conv2dSpec c => nn.Conv2d(c.InChannels, c.OutChannels, c.Kernel, stride: c.Stride, padding: c.Padding, bias: c.Bias),
        BatchNorm2dSpec b => nn.BatchNorm2d(b.Channels, eps: b.Epsilon, momentum: b.Momentum),
        BatchNorm1dSpec b => nn.BatchNorm1d(b.Features, eps: b.Epsilon, momentum: b.Momentum),
        ReluSpec => nn.ReLU(),
        MaxPool2dSpec p => nn.MaxPool2d(p.Kernel, p.Stride),
        GlobalAvgPoolSpec => nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        DropoutSpec d => nn.Dropout(d.Probability),
        FlattenSpec => nn.Flatten(),
        LinearSpec l => nn.Linear(l.InFeatures, l.OutFeatures, hasBias: l.Bias),
        _ => throw new NotSupportedException($"Layer {layer.GetType().Name} is not supported."),
    };

    /// <summary>
    /// <c>y = x * scale + shift</c>, with constants that are not parameters. The constants are held as
    /// TorchSharp Scalars for the module's lifetime: a Scalar made on the fly for each call can be
    /// finalized while the native call still uses it.
    /// </summary>
    private sealed class AffineNormalize : TorchModule
    {
        private readonly Scalar _scale;
        private readonly Scalar _shift;

        public AffineNormalize(double scale, double shift) : base(nameof(AffineNormalize))
        {
            _scale = scale.ToScalar();
            _shift = shift.ToScalar();
        }

        public override Tensor forward(Tensor input) => input.mul(_scale).add_(_shift);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _scale.Dispose();
                _shift.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
