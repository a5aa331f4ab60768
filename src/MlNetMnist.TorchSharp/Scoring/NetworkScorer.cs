using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Scoring;

/// <summary>
/// Runs a trained network (evaluation mode, no gradients) on batches of flat feature rows and writes
/// class probabilities. Safe to call from several threads at once. Scoring runs an inference copy of
/// the network (<see cref="InferenceNetwork"/>: batch norms folded, pooling before ReLU, input
/// normalisation folded into the first convolution); <see cref="Module"/> stays the trained network,
/// for weight export.
/// </summary>
internal sealed class NetworkScorer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly nn.Module<Tensor, Tensor> _inference;
    private readonly Device _device;
    private NetworkWeights? _weights;
    private bool _disposed;

    public NetworkScorer(nn.Module<Tensor, Tensor> model, NetworkDefinition definition, Device device)
    {
        Native.GlibcMallocTuning.Apply();
        _model = model;
        _model.eval();
        Definition = definition;
        _device = device;
        _inference = CreateInferenceNetwork();
    }

    public NetworkDefinition Definition { get; }

    public int InputSize => Definition.InputSize;

    public int Classes => Definition.Classes;

    /// <summary>The module itself, for weight export.</summary>
    public nn.Module<Tensor, Tensor> Module => _model;

    /// <summary>The trained weights, copied to managed memory once, on first use.</summary>
    public NetworkWeights Weights => _weights ??= ModuleWeights.Read(_model);

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="input"/> (<c>rows * InputSize</c> values)
    /// into <paramref name="probabilities"/> (<c>rows * Classes</c> values).
    /// </summary>
    public void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows == 0) return;
        // A few rows are scored on the calling thread alone (see OpenMpThreads): faster for one image,
        // and concurrent callers do not oversubscribe the cores.
        using var threads = rows <= SingleThreadedRows ? Native.OpenMpThreads.SingleThreaded() : default;
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = tensor(input[..(rows * InputSize)].ToArray(), new long[] { rows, InputSize }).to(_device);
        var p = nn.functional.softmax(_inference.forward(x), 1).cpu().contiguous();
        p.data<float>().CopyTo(probabilities[..(rows * Classes)]);
    }

    /// <summary>Calls with at most this many rows run LibTorch on the calling thread alone (see <see cref="Native.OpenMpThreads"/>).</summary>
    public const int SingleThreadedRows = 4;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!ReferenceEquals(_inference, _model)) _inference.Dispose();
        _model.Dispose();
    }

    /// <summary>The <see cref="InferenceNetwork"/> form of the trained network, on its device; the network itself if nothing applies.</summary>
    private nn.Module<Tensor, Tensor> CreateInferenceNetwork()
    {
        if (!InferenceNetwork.Improves(Definition)) return _model;
        var (folded, weights) = InferenceNetwork.Create(Definition, Weights);
        var network = NetworkBuilder.Build(folded, weights);
        try
        {
            return network.to(_device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
