using MlNetMnist.Calibration;
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

    /// <summary>Whether the network is on the CPU (not a GPU).</summary>
    public bool OnCpu => _device.type == DeviceType.CPU;

    public int Classes => Definition.Classes;

    /// <summary>The module itself, for weight export.</summary>
    public nn.Module<Tensor, Tensor> Module => _model;

    /// <summary>The trained weights, copied to managed memory once, on first use.</summary>
    public NetworkWeights Weights => _weights ??= ModuleWeights.Read(_model);

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="input"/> (<c>rows * InputSize</c> values)
    /// into <paramref name="probabilities"/> (<c>rows * Classes</c> values).
    /// </summary>
    public void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities) => Score(input, rows, probabilities, []);

    /// <summary>
    /// The calibration applied after the logits: the temperature the softmax divides them by, and the
    /// out-of-distribution score (the same computation as the exported ONNX graph).
    /// </summary>
    public OutputCalibration Calibration { get; set; } = OutputCalibration.None;

    /// <summary>Values per row of the out-of-distribution output (0 when the calibration has none).</summary>
    public int OutOfDistributionSize => Calibration.OutOfDistribution is null ? 0 : OutOfDistributionStatistics.Count + 1;

    /// <summary>
    /// As <see cref="Score(ReadOnlySpan{float}, int, Span{float})"/>, also writing the out-of-distribution
    /// output of each row (<see cref="OutOfDistributionSize"/> values) into <paramref name="outOfDistribution"/> when it is not empty.
    /// </summary>
    public void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows == 0) return;
        // A few rows are scored on the calling thread alone (see OpenMpThreads): faster for one image,
        // and concurrent callers do not oversubscribe the cores.
        using var threads = rows <= SingleThreadedRows ? Native.OpenMpThreads.SingleThreaded() : default;
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var x = tensor(input[..(rows * InputSize)].ToArray(), new long[] { rows, InputSize }).to(_device);
        var logits = _inference.forward(x);
        var scaled = Calibration.Temperature == 1f ? logits : logits.div(Calibration.Temperature);
        var p = nn.functional.softmax(scaled, 1).cpu().contiguous();
        p.data<float>().CopyTo(probabilities[..(rows * Classes)]);
        if (outOfDistribution.IsEmpty || Calibration.OutOfDistribution is not { } ood) return;
        var z = logits.cpu().contiguous().data<float>().ToArray();
        int size = OutOfDistributionSize;
        Span<float> raw = stackalloc float[OutOfDistributionStatistics.Count];
        for (int r = 0; r < rows; r++)
        {
            OutOfDistributionStatistics.Compute(Definition, input.Slice(r * InputSize, InputSize), z.AsSpan(r * Classes, Classes), Calibration.Temperature, raw);
            var target = outOfDistribution.Slice(r * size, size);
            target[0] = ood.Score(raw, target[1..]);
        }
    }

    /// <summary>The logits of <paramref name="rows"/> rows (no temperature), for calibration.</summary>
    public float[] Logits(ReadOnlySpan<float> input, int rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new float[rows * Classes];
        const int batch = 1000;
        for (int start = 0; start < rows; start += batch)
        {
            int n = Math.Min(batch, rows - start);
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var x = tensor(input.Slice(start * InputSize, n * InputSize).ToArray(), new long[] { n, InputSize }).to(_device);
            _inference.forward(x).cpu().contiguous().data<float>().CopyTo(result.AsSpan(start * Classes, n * Classes));
        }
        return result;
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
        // Building draws initial weights from TorchSharp's global generator; they are replaced at once, so leave no trace.
        var network = Training.TrainingRandom.WithoutGlobalDraws(() => NetworkBuilder.Build(folded, weights));
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
