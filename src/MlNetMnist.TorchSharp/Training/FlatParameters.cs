using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// A network's parameters and their gradients laid out one after another in two flat tensors, each
/// parameter (and its <c>grad</c>) rebound as a view into them, so that an element-wise optimiser updates
/// all of them with one LibTorch call per operation instead of one per parameter and operation. The fast
/// CNN has 8 parameter tensors: its Adam step was ~80 calls of a few microseconds per batch, 3-4% of the
/// training loop (the idea of PyTorch's <c>foreach</c>/fused optimisers, which TorchSharp does not offer).
/// </summary>
/// <remarks>
/// The values are unchanged (copied into the views), and so is every update: element-wise operations give
/// each element the same result whether they run on one tensor or on many. Gradients accumulate into the
/// views (LibTorch adds a new gradient in place into a defined <c>grad</c>), so the gradients must be
/// zeroed with <see cref="ZeroGradients"/> (or per parameter, in place), never set to null. A parameter
/// that gets no gradient in a batch keeps a zero gradient (an optimiser over separate tensors would skip
/// it); every parameter of this project's networks gets one every batch.
/// </remarks>
internal sealed class FlatParameters : IDisposable
{
    private readonly (long Offset, long Count, long[] Shape)[] _layout;

    private FlatParameters(IReadOnlyList<Parameter> parameters)
    {
        _layout = new (long, long, long[])[parameters.Count];
        long total = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            _layout[i] = (total, p.numel(), p.shape);
            total += p.numel();
        }
        var first = parameters[0];
        Values = empty(total, first.dtype, first.device).DetachFromDisposeScope();
        Gradients = zeros(total, first.dtype, first.device).DetachFromDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            using var value = ViewOf(Values, i);
            value.copy_(p);
            p.set_(value);
            using var gradient = ViewOf(Gradients, i);
            using (var previous = p.grad)
                if (previous is not null) gradient.copy_(previous);
            p.grad = gradient;
        }
    }

    /// <summary>
    /// Lays out <paramref name="parameters"/> flat, or returns null when they cannot share one tensor (none,
    /// different element types or devices) or do not need gradients.
    /// </summary>
    public static FlatParameters? TryCreate(IEnumerable<Parameter> parameters)
    {
        var list = parameters.ToList();
        if (list.Count == 0 || list.Any(p => !p.requires_grad)) return null;
        var (dtype, deviceType, deviceIndex) = (list[0].dtype, list[0].device_type, list[0].device_index);
        return list.All(p => p.dtype == dtype && p.device_type == deviceType && p.device_index == deviceIndex) ? new FlatParameters(list) : null;
    }

    /// <summary>Every parameter's values, one after another (the parameters are views into it).</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter's gradient, in the same layout (the parameters' <c>grad</c> are views into it).</summary>
    public Tensor Gradients { get; }

    /// <summary>A new zero tensor of the flat layout (for an optimiser's per-element state).</summary>
    public Tensor NewState() => zeros_like(Values).DetachFromDisposeScope();

    /// <summary>The part of <paramref name="flat"/> (of this layout) that belongs to parameter <paramref name="index"/>, in its shape.</summary>
    public Tensor ViewOf(Tensor flat, int index)
    {
        var (offset, count, shape) = _layout[index];
        using var part = flat.narrow(0, offset, count);
        return part.view(shape).DetachFromDisposeScope();
    }

    /// <summary>Zeroes every gradient in one call.</summary>
    public void ZeroGradients()
    {
        using var noGrad = no_grad();
        Gradients.zero_();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Values.Dispose();
        Gradients.Dispose();
    }
}
