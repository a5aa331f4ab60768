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
        ArgumentNullException.ThrowIfNull(definition);
        var modules = definition.Layers.Select((layer, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), Create(layer)));
        return nn.Sequential(modules.ToArray());
    }

    /// <summary>
    /// Creates the module of <paramref name="definition"/> with the given weights (on the CPU, in
    /// evaluation mode). Every floating-point tensor of the module must be in <paramref name="weights"/>
    /// with the same shape.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is missing or has another shape; the message names it.</exception>
    public static nn.Module<Tensor, Tensor> Build(NetworkDefinition definition, NetworkWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var module = Build(definition);
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var (name, target) in module.state_dict())
            {
                if (!is_floating_point(target)) continue;
                if (!weights.Contains(name))
                    throw new ArgumentException($"The weights have no tensor '{name}' for network {definition.Name}.", nameof(weights));
                var source = weights[name];
                if (!source.Shape.SequenceEqual(target.shape))
                    throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", source.Shape)}]; network {definition.Name} expects [{string.Join(", ", target.shape)}].", nameof(weights));
                target.copy_(tensor(source.Values, source.Shape).to(target.dtype));
            }
            module.eval();
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A convolution whose bias, if any, is attached after construction: TorchSharp 0.107's
    /// <c>Conv2d</c> constructor leaves one undisposed tensor behind when it initialises a bias itself.
    /// The bias is initialised as that constructor (and PyTorch) does, uniform in +/- 1/sqrt(fan in),
    /// drawn after the weight, so the random draws and the initial values are the same.
    /// </summary>
    private static TorchModule Convolution(Conv2dSpec c)
    {
        var conv = nn.Conv2d(c.InChannels, c.OutChannels, c.Kernel, stride: c.Stride, padding: c.Padding, bias: false);
        if (!c.Bias) return conv;
        double bound = 1 / Math.Sqrt(c.InChannels * c.Kernel * c.Kernel);
        using (no_grad())
        {
            var bias = empty(c.OutChannels);
            bias.uniform_(-bound, bound);
            conv.bias = new TorchSharp.Modules.Parameter(bias);
        }
        return conv;
    }

    private static TorchModule Create(LayerSpec layer) => layer switch
    {
        NormalizeSpec n => new AffineNormalize(n.Scale, n.Shift),
        AutoInvertSpec a => new AutoInvert(a),
        ReshapeToImageSpec r => nn.Unflatten(1, new long[] { r.Channels, r.Height, r.Width }),
        Conv2dSpec c => Convolution(c),
        BatchNorm2dSpec b => nn.BatchNorm2d(b.Channels, eps: b.Epsilon, momentum: b.Momentum),
        BatchNorm1dSpec b => nn.BatchNorm1d(b.Features, eps: b.Epsilon, momentum: b.Momentum),
        ReluSpec => nn.ReLU(),
        MaxPool2dSpec p when p.Kernel == p.Stride => new WindowMaxPool(p.Kernel),
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

    /// <summary>
    /// Max pooling over non-overlapping <c>k x k</c> windows (stride = kernel, floor mode). In evaluation
    /// mode it is the element-wise maximum of the <c>k * k</c> strided views of the input: the same
    /// values as <c>max_pool2d</c>, whose LibTorch 2.10 CPU kernel took ~10x longer here for MNIST-sized
    /// feature maps (the most expensive layer of the fast network at inference, ahead of both
    /// convolutions). In training mode it is <c>max_pool2d</c>, whose backward pass is the faster one.
    /// </summary>
    private sealed class WindowMaxPool(int kernel) : TorchModule(nameof(WindowMaxPool))
    {
        public override Tensor forward(Tensor input)
        {
            if (training) return nn.functional.max_pool2d(input, kernel, kernel);
            if (kernel == 1) return input.alias();
            long n = input.shape[0], channels = input.shape[1];
            long height = input.shape[2] / kernel, width = input.shape[3] / kernel;
            using var cropped = height * kernel == input.shape[2] && width * kernel == input.shape[3]
                ? input.alias()
                : input[.., .., ..(int)(height * kernel), ..(int)(width * kernel)];
            using var windows = cropped.reshape(n, channels, height, kernel, width, kernel);
            Tensor? result = null;
            for (int i = 0; i < kernel; i++)
                for (int j = 0; j < kernel; j++)
                {
                    using var view = windows[.., .., .., i, .., j];
                    if (result is null)
                    {
                        result = view.alias();
                        continue;
                    }
                    var larger = maximum(result, view);
                    result.Dispose();
                    result = larger;
                }
            return result!;
        }
    }
}
