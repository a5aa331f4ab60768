using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Onnx;
using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// Scoring figures of a trained model, each next to a baseline measured in the same process: batched
/// <c>Transform</c> of the trained transformer against a bare TorchSharp forward of the same network and
/// weights; the model loaded from model.zip (ML.NET, row by row) against ONNX Runtime alone on the same
/// graph in batches; single-image latency; and single-row calls from 1 and from 8 threads at once.
/// Every batched rate is taken in the steady state (<see cref="SteadyRate"/>), the baselines' as well.
/// </summary>
/// <param name="ml">The context (its ONNX Runtime settings are used for the loaded model and the baseline).</param>
/// <param name="model">The fitted pipeline (key mapping + classifier).</param>
/// <param name="inputSchema">The schema of the pipeline's input, saved with the model.</param>
/// <param name="networks">The classifier's networks (one, or an ensemble's members) with their weights.</param>
/// <param name="batchOnnx">The classifier as a batch-layout ONNX graph (the graph model.zip holds, with a batch axis).</param>
/// <param name="batchSize">Rows per network call of the trained transformer; the baselines use the same.</param>
internal sealed class ScoringBench(MLContext ml, ITransformer model, DataViewSchema inputSchema, IReadOnlyList<(NetworkDefinition Definition, NetworkWeights Weights)> networks,
    byte[] batchOnnx, int batchSize)
{
    /// <summary>Single-row calls per thread in the 8-caller measurement.</summary>
    public const int CallsPerCaller = 500;

    public (ScoringFigures Figures, double Accuracy) Measure(IDataView evaluation, float[] pixels, int rows, TextWriter log)
    {
        var (accuracy, evaluate) = TimeEvaluation(model, evaluation);
        double transform = TimeTransform(model, evaluation);
        double bare = TimeBareForward(pixels, rows);
        log.WriteLine(string.Format(CultureInfo.InvariantCulture, "  trained: Transform+Evaluate {0:N0} img/s, Transform {1:N0} img/s, bare TorchSharp forward {2:N0} img/s", evaluate, transform, bare));

        var images = ml.Data.CreateEnumerable<Digit>(evaluation, reuseRowObject: false).ToList();
        int latencyCalls = Math.Clamp(rows, 1000, 10_000);
        var (p50, p99) = TimeSingleImages(model, images, latencyCalls);
        double one = Callers(model, images, 1), eight = Callers(model, images, 8);
        log.WriteLine(string.Format(CultureInfo.InvariantCulture, "  trained: p50 {0:F3} ms, p99 {1:F3} ms; single rows from 1 caller {2:N0}/s, from 8 callers {3:N0}/s", p50, p99, one, eight));

        string path = Path.Combine(Path.GetTempPath(), $"mlnetmnist-bench-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, inputSchema, path);
            var loaded = ml.Model.Load(path, out _);
            try
            {
                double loadedEvaluate = TimeEvaluation(loaded, evaluation).ImagesPerSecond;
                double loadedTransform = TimeTransform(loaded, evaluation);
                double ort = TimeOnnxRuntime(pixels, rows);
                log.WriteLine(string.Format(CultureInfo.InvariantCulture, "  loaded: Transform+Evaluate {0:N0} img/s, Transform {1:N0} img/s, ONNX Runtime alone {2:N0} img/s", loadedEvaluate, loadedTransform, ort));
                var (loadedP50, loadedP99) = TimeSingleImages(loaded, images, latencyCalls);
                double loadedOne = Callers(loaded, images, 1), loadedEight = Callers(loaded, images, 8);
                log.WriteLine(string.Format(CultureInfo.InvariantCulture, "  loaded: p50 {0:F3} ms, p99 {1:F3} ms; single rows from 1 caller {2:N0}/s, from 8 callers {3:N0}/s", loadedP50, loadedP99, loadedOne, loadedEight));
                return (new ScoringFigures(evaluate, transform, bare, loadedEvaluate, loadedTransform, ort, p50, p99, loadedP50, loadedP99,
                    one, eight, loadedOne, loadedEight, batchSize, DescribeOnnxRuntime(ml)), accuracy);
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The ONNX Runtime session settings a model loaded by <paramref name="context"/> gets (ML.NET's defaults unless set on the context).</summary>
    public static string DescribeOnnxRuntime(MLContext context)
    {
        var o = ((IHostEnvironment)context).GetOnnxSessionOption() ?? new OnnxSessionOptions();
        return string.Format(CultureInfo.InvariantCulture,
            "graph optimisation {0}, intra-op threads {1}, inter-op threads {2}, {3}, CPU memory arena {4}, memory pattern {5}, {6}",
            o.GraphOptimizationLevel, o.IntraOpNumThreads > 0 ? o.IntraOpNumThreads.ToString(CultureInfo.InvariantCulture) : "default (one per physical core)",
            o.InterOpNumThreads > 0 ? o.InterOpNumThreads.ToString(CultureInfo.InvariantCulture) : "default", o.ExecutionMode,
            o.EnableCpuMemArena ? "on" : "off", o.EnableMemoryPattern ? "on" : "off", o.PerSessionThreads ? "per-session thread pools" : "global thread pools");
    }

    /// <summary>Accuracy and images/s of <c>Transform</c> + <c>Evaluate</c> (steady state).</summary>
    private (double Accuracy, double ImagesPerSecond) TimeEvaluation(ITransformer scorer, IDataView data)
    {
        double accuracy = 0;
        double rate = SteadyRate.Of(data.GetRowCount() ?? 0, () => accuracy = ml.MulticlassClassification.Evaluate(scorer.Transform(data)).MicroAccuracy);
        return (accuracy, rate);
    }

    /// <summary>Images/s of <c>Transform</c>, reading <c>Score</c> and <c>PredictedLabel</c> of every row (steady state).</summary>
    private static double TimeTransform(ITransformer scorer, IDataView data) => SteadyRate.Of(data.GetRowCount() ?? 0, () =>
    {
        var scored = scorer.Transform(data);
        var columns = new[] { scored.Schema["Score"], scored.Schema["PredictedLabel"] };
        using var cursor = scored.GetRowCursor(columns);
        var score = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var label = cursor.GetGetter<uint>(columns[1]);
        VBuffer<float> scores = default;
        uint predicted = 0;
        while (cursor.MoveNext())
        {
            score(ref scores);
            label(ref predicted);
        }
    });

    /// <summary>
    /// Images/s of the networks as plain TorchSharp modules with the trained weights: per batch, the raw
    /// pixels into a tensor, normalised, forward, softmax (averaged over an ensemble's members), back to
    /// managed memory. Steady state.
    /// </summary>
    private double TimeBareForward(float[] pixels, int rows)
    {
        var modules = networks.Select(n =>
        {
            var module = BareTorchSharpNetwork.Build(n.Definition);
            BareTorchSharpNetwork.LoadWeights(module, n.Weights);
            var normalize = (NormalizeSpec)n.Definition.Layers[0];
            return (Module: module, n.Definition, normalize.Scale, normalize.Shift);
        }).ToList();
        try
        {
            int inputSize = networks[0].Definition.InputSize, classes = networks[0].Definition.Classes;
            var output = new float[batchSize * classes];
            return SteadyRate.Of(rows, () =>
            {
                for (int start = 0; start < rows; start += batchSize)
                {
                    int count = Math.Min(batchSize, rows - start);
                    using var scope = NewDisposeScope();
                    using var mode = inference_mode();
                    var x = tensor(pixels.AsSpan(start * inputSize, count * inputSize).ToArray(), [count, inputSize]);
                    Tensor? sum = null;
                    foreach (var (module, definition, scale, shift) in modules)
                    {
                        var p = nn.functional.softmax(module.forward(BareTorchSharpNetwork.PrepareInput(x, definition, scale, shift)), 1);
                        sum = sum is null ? p : sum.add_(p);
                    }
                    if (modules.Count > 1) sum!.div_(modules.Count);
                    sum!.contiguous().data<float>().CopyTo(output.AsSpan(0, count * classes));
                }
            });
        }
        finally
        {
            foreach (var m in modules) m.Module.Dispose();
        }
    }

    /// <summary>Images/s of ONNX Runtime alone on the batch-layout graph, with the context's session settings (steady state).</summary>
    private double TimeOnnxRuntime(float[] pixels, int rows)
    {
        var settings = ((IHostEnvironment)ml).GetOnnxSessionOption() ?? new OnnxSessionOptions();
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = settings.GraphOptimizationLevel,
            IntraOpNumThreads = settings.IntraOpNumThreads,
            InterOpNumThreads = settings.InterOpNumThreads,
            ExecutionMode = settings.ExecutionMode,
            EnableCpuMemArena = settings.EnableCpuMemArena,
            EnableMemoryPattern = settings.EnableMemoryPattern,
        };
        using var session = new InferenceSession(batchOnnx, options);
        string input = session.InputMetadata.Keys.Single();
        int inputSize = networks[0].Definition.InputSize;
        var batch = new float[batchSize * inputSize];
        using var runOptions = new RunOptions();
        return SteadyRate.Of(rows, () =>
        {
            for (int start = 0; start < rows; start += batchSize)
            {
                int count = Math.Min(batchSize, rows - start);
                var values = count == batchSize ? batch : new float[count * inputSize];
                pixels.AsSpan(start * inputSize, count * inputSize).CopyTo(values);
                using var value = OrtValue.CreateTensorValueFromMemory(values, [count, inputSize]);
                using var outputs = session.Run(runOptions, [input], [value], ["Score"]);
                _ = outputs[0].GetTensorDataAsSpan<float>()[0];
            }
        });
    }

    /// <summary>p50 and p99 latency in ms of single-image <c>PredictionEngine</c> calls (after a warm-up).</summary>
    private (double P50, double P99) TimeSingleImages(ITransformer scorer, List<Digit> images, int calls)
    {
        using var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(scorer, new PredictionEngineOptions { OwnsTransformer = false });
        var prediction = new DigitPrediction();
        for (int i = 0; i < 200; i++) engine.Predict(images[i % images.Count], ref prediction);
        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(images[i % images.Count], ref prediction);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return (Stats.Percentile(times, 50), Stats.Percentile(times, 99));
    }

    /// <summary>Rows/s in total of single-row <c>Predict</c> calls from <paramref name="callers"/> threads at once, one engine each.</summary>
    private double Callers(ITransformer scorer, List<Digit> images, int callers)
    {
        int calls = callers == 1 ? 4 * CallsPerCaller : CallsPerCaller;
        var engines = Enumerable.Range(0, callers)
            .Select(_ => ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(scorer, new PredictionEngineOptions { OwnsTransformer = false })).ToList();
        try
        {
            using var ready = new Barrier(callers + 1);
            var threads = engines.Select((engine, t) => new Thread(() =>
            {
                var prediction = new DigitPrediction();
                for (int i = 0; i < 20; i++) engine.Predict(images[(t * 131 + i) % images.Count], ref prediction);
                ready.SignalAndWait();
                for (int i = 0; i < calls; i++) engine.Predict(images[(t * 131 + i) % images.Count], ref prediction);
            })).ToList();
            threads.ForEach(t => t.Start());
            ready.SignalAndWait();
            var watch = Stopwatch.StartNew();
            threads.ForEach(t => t.Join());
            return callers * calls / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            engines.ForEach(e => e.Dispose());
        }
    }

    private sealed class Digit
    {
        public uint Label { get; set; }

        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class DigitPrediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
