using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MlNetMnist.Scoring;

/// <summary>
/// Scores rows of raw pixel values with ONNX Runtime on a batch-layout graph written by this library
/// (input <c>[N, inputSize]</c>; outputs the class probabilities <c>[N, classes]</c> and, when the graph
/// has it, the out-of-distribution output <c>[N, oodSize]</c>). Two sessions over the same graph,
/// each created on first use: one for batches, with the given intra-op threads, and one single-threaded
/// for calls of at most <see cref="NetworkScorer.SingleThreadedRows"/> rows, so that single-row callers
/// on many threads at once do not oversubscribe the cores. Safe to call from several threads at once.
/// </summary>
internal sealed class OnnxRuntimeScorer : IDisposable
{
    private readonly byte[] _graph;
    private readonly int _inputSize;
    private readonly int _classes;
    private readonly int _outOfDistributionSize;
    private readonly string _inputName;
    private readonly string _scoreName;
    private readonly string _outOfDistributionName;
    private readonly Lazy<InferenceSession> _batch;
    private readonly Lazy<InferenceSession> _single;
    private readonly RunOptions _run = new();
    private bool _disposed;

    /// <param name="graph">The batch-layout ONNX model.</param>
    /// <param name="inputSize">Values per input row.</param>
    /// <param name="classes">Values per row of the score output.</param>
    /// <param name="outOfDistributionSize">Values per row of the out-of-distribution output; 0 when the graph has none.</param>
    /// <param name="names">The graph's input, score and out-of-distribution output names.</param>
    /// <param name="threads">Intra-op threads for batches; null for ONNX Runtime's default (one per physical core).</param>
    public OnnxRuntimeScorer(byte[] graph, int inputSize, int classes, int outOfDistributionSize, (string Input, string Score, string OutOfDistribution) names, int? threads)
    {
        _graph = graph;
        _inputSize = inputSize;
        _classes = classes;
        _outOfDistributionSize = outOfDistributionSize;
        (_inputName, _scoreName, _outOfDistributionName) = names;
        _batch = new Lazy<InferenceSession>(() => CreateSession(threads ?? 0), LazyThreadSafetyMode.ExecutionAndPublication);
        _single = new Lazy<InferenceSession>(() => CreateSession(1), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Scores <paramref name="rows"/> rows of <paramref name="input"/> into <paramref name="probabilities"/>
    /// (<c>rows * classes</c> values) and, when it is not empty and the graph has the output, the
    /// out-of-distribution values into <paramref name="outOfDistribution"/> (<c>rows * oodSize</c>).
    /// </summary>
    public void Score(ReadOnlySpan<float> input, int rows, Span<float> probabilities, Span<float> outOfDistribution)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows == 0) return;
        var session = rows <= NetworkScorer.SingleThreadedRows ? _single.Value : _batch.Value;
        int values = rows * _inputSize;
        bool withOutOfDistribution = !outOfDistribution.IsEmpty && _outOfDistributionSize > 0;
        float[] buffer = ArrayPool<float>.Shared.Rent(values);
        try
        {
            input[..values].CopyTo(buffer);
            using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(buffer, 0, values), [rows, _inputSize]);
            string[] outputs = withOutOfDistribution ? [_scoreName, _outOfDistributionName] : [_scoreName];
            using var results = session.Run(_run, [_inputName], [tensor], outputs);
            results[0].GetTensorDataAsSpan<float>()[..(rows * _classes)].CopyTo(probabilities);
            if (withOutOfDistribution)
                results[1].GetTensorDataAsSpan<float>()[..(rows * _outOfDistributionSize)].CopyTo(outOfDistribution);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private InferenceSession CreateSession(int intraOpThreads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        return new InferenceSession(_graph, options);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_batch.IsValueCreated) _batch.Value.Dispose();
        if (_single.IsValueCreated) _single.Value.Dispose();
        _run.Dispose();
    }
}
