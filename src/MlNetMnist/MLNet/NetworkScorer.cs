using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist;

/// <summary>
/// Runs a trained network (evaluation mode, no gradients) on batches of flat feature rows and writes
/// class probabilities. Safe to call from several threads at once.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Device _device;
    private bool _disposed;

    public NetworkScorer(nn.Module<Tensor, Tensor> model, NetworkDefinition definition, Device device)
    {
        Training.GlibcMallocTuning.Apply();
        _model = model;
        _model.eval();
        Definition = definition;
        _device = device;
    }

    public NetworkDefinition Definition { get; }

    public int InputSize => Definition.InputSize;

    public int Classes => Definition.Classes;

    /// <summary>The module itself, for weight export.</summary>
    public nn.Module<Tensor, Tensor> Module => _model;

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="input"/> (<c>rows * InputSize</c> values)
    /// into <paramref name="probabilities"/> (<c>rows * Classes</c> values).
    /// </summary>
    public void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows == 0) return;
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = tensor(input[..(rows * InputSize)].ToArray(), new long[] { rows, InputSize }).to(_device);
        var p = nn.functional.softmax(_model.forward(x), 1).cpu().contiguous();
        p.data<float>().CopyTo(probabilities[..(rows * Classes)]);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _model.Dispose();
    }
}
