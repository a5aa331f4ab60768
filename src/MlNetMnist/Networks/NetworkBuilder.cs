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
        AutoInvertSpec a => new AutoInvert(a),
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

    /// <summary>
    /// The TorchSharp form of <see cref="AutoInvertSpec"/>: per image, the mean of the border pixels
    /// decides whether <c>x</c> becomes <c>MaxValue - x</c>. The border indices and constants are held for
    /// the module's lifetime (not parameters or buffers, so the state dictionary is unchanged).
    /// </summary>
    private sealed class AutoInvert : TorchModule
    {
        private readonly Tensor _border;
        private readonly Scalar _threshold;
        private readonly Scalar _maxValue;

        public AutoInvert(AutoInvertSpec spec) : base(nameof(AutoInvert))
        {
            _border = tensor(spec.BorderIndices()).DetachFromDisposeScope();
            _threshold = ((double)spec.Threshold).ToScalar();
            _maxValue = ((double)spec.MaxValue).ToScalar();
        }

        public override Tensor forward(Tensor input)
        {
            using var indices = _border.to(input.device);
            using var border = input.index_select(1, indices);
            using var mean = border.mean(new long[] { 1 }, keepdim: true);
            using var light = mean.gt(_threshold);
            using var inverted = input.neg().add_(_maxValue);
            return where(light, inverted, input);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _border.Dispose();
                _threshold.Dispose();
                _maxValue.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
