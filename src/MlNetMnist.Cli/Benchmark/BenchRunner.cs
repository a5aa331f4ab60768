using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// One benchmark run of one preset on full MNIST, in the current process: trains (checking test
/// accuracy after every epoch, outside the timed training), scores the test set with the trained
/// transformer and with the model loaded back from model.zip, times single-image predictions, and
/// reads the process's peak resident memory.
/// </summary>
internal sealed class BenchRunner(string dataDirectory, TextWriter log, bool liveProgress = false)
{
    public const int LatencyCalls = 10_000;

    public BenchRun Run(string preset, BenchSettings settings)
    {
        var options = settings.Apply(TorchCnnPresets.Get(preset));
        options.Progress = p => log.WriteLine("  " + p);
        if (liveProgress) options.BatchProgress = b => log.WriteLine(LiveProgress.ChildLinePrefix + "  " + b);

        var ml = new MLContext(seed: options.Seed);
        ml.SetOnnxThreads(options.Threads);
        var train = MnistData.Load(ml, dataDirectory, MnistSplit.Train);
        var test = MnistData.Load(ml, dataDirectory, MnistSplit.Test);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);

        // The test set doubles as validation data so that accuracy is known after every epoch;
        // its evaluation is excluded from the training time (TrainingProgress.TrainingTime).
        using var classifier = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(keys.Transform(train), keys.Transform(test));
        var history = classifier.History.Epochs;
        double trainSeconds = history[^1].TrainingTime.TotalSeconds;
        var first99 = classifier.History.FirstReaching(0.99);

        var model = keys.Append(classifier);
        var (accuracy, scoreRate) = TimeEvaluation(ml, model, test);
        double loadedRate = TimeLoadedEvaluation(ml, model, train.Schema, test);
        var (p50, p99) = TimeSingleImagePredictions(ml, model, test);

        return new BenchRun(
            trainSeconds, first99?.TrainingTime.TotalSeconds, first99?.Epoch, history.Count, accuracy,
            history.Count * (double)(train.GetRowCount() ?? 0) / trainSeconds, scoreRate, loadedRate, p50, p99,
            PeakResidentMegabytes(), history.Select(p => p.ValidationAccuracy ?? double.NaN).ToList());
    }

    /// <summary>Test accuracy and images/s of Transform + Evaluate over the test set (second, warm run).</summary>
    private static (double Accuracy, double ImagesPerSecond) TimeEvaluation(MLContext ml, ITransformer model, IDataView test)
    {
        ml.MulticlassClassification.Evaluate(model.Transform(test));
        var watch = Stopwatch.StartNew();
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        watch.Stop();
        return (metrics.MicroAccuracy, (test.GetRowCount() ?? 0) / watch.Elapsed.TotalSeconds);
    }

    private static double TimeLoadedEvaluation(MLContext ml, ITransformer model, DataViewSchema schema, IDataView test)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnetmnist-bench-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, schema, path);
            var loaded = ml.Model.Load(path, out _);
            try
            {
                return TimeEvaluation(ml, loaded, test).ImagesPerSecond;
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

    /// <summary>p50 and p99 latency in ms of <see cref="LatencyCalls"/> single-image PredictionEngine calls.</summary>
    private static (double P50, double P99) TimeSingleImagePredictions(MLContext ml, ITransformer model, IDataView test)
    {
        var images = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).ToList();
        using var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < 500; i++) engine.Predict(images[i]);
        var times = new double[LatencyCalls];
        var prediction = new DigitPrediction();
        for (int i = 0; i < LatencyCalls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(images[i % images.Count], ref prediction);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return (Stats.Percentile(times, 50), Stats.Percentile(times, 99));
    }

    /// <summary>VmHWM of this process in MB (Linux), else the managed working set's peak.</summary>
    public static double PeakResidentMegabytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line != null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb))
                return kb / 1024.0;
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
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
