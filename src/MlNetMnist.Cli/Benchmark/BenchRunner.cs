using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// One benchmark run of one configuration with one seed, in the current process: trains through ML.NET
/// (checking the accuracy on the evaluation images after every epoch, and every N batches if asked,
/// outside the training time), then measures scoring (<see cref="ScoringBench"/>) and reads the
/// process's peak resident memory. The bare TorchSharp baseline is <see cref="BareTorchSharpTraining"/>.
/// </summary>
internal sealed class BenchRunner(string dataDirectory, TextWriter log, bool liveProgress = false)
{
    /// <summary>The accuracy whose first reaching is timed.</summary>
    public const double Target = 0.99;

    public BenchRun Run(BenchConfig config, BenchSettings settings, int seed)
    {
        var data = BenchData.Load(dataDirectory, settings);
        var options = config.Options(settings, seed);
        options.Progress = p => log.WriteLine("  " + p);
        if (liveProgress) options.BatchProgress = b => log.WriteLine(LiveProgress.ChildLinePrefix + "  " + b);

        var ml = new MLContext(seed: seed);
        ml.SetOnnxThreads(settings.OnnxThreads);
        var train = data.Train.ToDataView();
        var evaluation = data.Evaluation.ToDataView();
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
        var keyedTrain = keys.Transform(train);
        var keyedEvaluation = keys.Transform(evaluation);

        // The clock a user would hold: from Fit's start to the trained model. The accuracy checks
        // (TrainingProgress.TotalTime - TrainingTime of each network) are taken out afterwards.
        var watch = Stopwatch.StartNew();
        IImageClassifierModel classifier;
        IReadOnlyList<TorchCnnTransformer> networks;
        if (config.IsEnsemble)
        {
            var ensembleOptions = new TorchCnnEnsembleOptions
            {
                MemberStarting = (i, n, member) => log.WriteLine($"  member {i + 1}/{n} (seed {member.Seed})"),
            };
            foreach (int memberSeed in config.MemberSeeds(seed))
            {
                var member = options.Clone();
                member.Seed = memberSeed;
                // A member's own accuracy does not time the ensemble: no checks inside epochs.
                member.ValidationEveryBatches = null;
                ensembleOptions.Members.Add(member);
            }
            var ensemble = ml.MulticlassClassification.Trainers.TorchCnnEnsemble(ensembleOptions).Fit(keyedTrain, keyedEvaluation);
            (classifier, networks) = (ensemble, ensemble.Members);
        }
        else
        {
            var single = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(keyedTrain, keyedEvaluation);
            (classifier, networks) = (single, [single]);
        }
        watch.Stop();

        try
        {
            var histories = networks.Select(n => n.History).ToList();
            double checks = histories.Sum(h => (h.Epochs[^1].TotalTime - h.Epochs[^1].TrainingTime).TotalSeconds);
            double trainSeconds = watch.Elapsed.TotalSeconds - checks;
            double preparation = histories.Sum(h => h.PreparationTime.TotalSeconds);
            double loop = histories.Sum(h => h.Epochs[^1].TrainingTime.TotalSeconds);
            long images = histories.Sum(h => (long)h.Epochs.Count * data.Train.Count);
            double flops = networks.Sum(n => NetworkFlops.Training(n.Network)) / networks.Count;

            var model = keys.Append((ITransformer)classifier);
            var graphs = networks.Select(n => (n.Network, n.Weights)).ToList();
            byte[] onnx = classifier is TorchCnnEnsembleTransformer e ? e.ExportOnnx() : ((TorchCnnTransformer)classifier).ExportOnnx();
            var pixels = data.EvaluationPixels();
            var (scoring, accuracy) = new ScoringBench(ml, model, train.Schema, graphs, onnx, options.ScoringBatchSize)
                .Measure(evaluation, pixels, data.Evaluation.Count, log);
            double tta = TestTimeAugmentation.Accuracy((Scoring.IScoringModel)classifier, pixels, data.Evaluation.Labels, data.Evaluation.Count, data.Evaluation.Rows, data.Evaluation.Columns);
            log.WriteLine($"  accuracy {accuracy:P2}; with test-time augmentation (reported apart) {tta:P2}");

            // Time to 99%: a single network's first check at or above it, on the user's clock (preparation
            // included). An ensemble's accuracy exists only once all members are trained: reached at the end, or not.
            double? secondsTo99;
            int? epochTo99;
            long? imagesTo99 = null;
            if (config.IsEnsemble)
            {
                secondsTo99 = accuracy >= Target ? trainSeconds : null;
                epochTo99 = accuracy >= Target ? options.Epochs : null;
                imagesTo99 = accuracy >= Target ? images : null;
            }
            else
            {
                var first = histories[0].FirstReaching(Target);
                secondsTo99 = first is { } f ? histories[0].PreparationTime.TotalSeconds + f.TrainingTime.TotalSeconds : null;
                epochTo99 = first?.Epoch;
                imagesTo99 = ImagesToFirstReaching(histories[0], Target, data.Train.Count, options.BatchSize);
            }
            double rate = images / loop;
            return new BenchRun(config.Name, BenchRun.Library, seed, settings.EvaluationName, data.Train.Count, data.Evaluation.Count,
                trainSeconds, preparation, loop, checks, secondsTo99, epochTo99, histories[0].Epochs.Count, accuracy,
                histories[0].Epochs.Select(p => p.ValidationAccuracy ?? double.NaN).ToList(), rate, flops, rate * flops / 1e9,
                scoring, PeakResidentMegabytes(), TtaAccuracy: tta, ImagesTo99: imagesTo99);
        }
        finally
        {
            ((IDisposable)classifier).Dispose();
        }
    }

    /// <summary>
    /// Training images gone through the network (repeats over epochs counted) at the first check or epoch end
    /// at or above <paramref name="target"/> (the one <see cref="TrainingHistory.FirstReaching"/> finds), or null.
    /// </summary>
    internal static long? ImagesToFirstReaching(TrainingHistory history, double target, long trainRows, int batchSize) =>
        history.FirstReachingPoint(target) is { } first
            ? (first.Epoch - 1) * trainRows + (first.Batch is long batch ? Math.Min(batch * batchSize, trainRows) : trainRows)
            : null;

    /// <summary>The bare TorchSharp run of the same configuration and seed (see <see cref="BareTorchSharpTraining"/>).</summary>
    public BenchRun RunBare(BenchConfig config, BenchSettings settings, int seed)
    {
        var data = BenchData.Load(dataDirectory, settings);
        var options = config.Options(settings, seed);
        var definition = Architectures.Create(options.Network, 1, data.Train.Rows, data.Train.Columns, 10, NormalizeSpec.ForPixels(0, 1));
        var run = BareTorchSharpTraining.Run(config.Name, definition, options, data, settings.EvaluationName);
        log.WriteLine($"  bare TorchSharp: {run.TrainSeconds:F1} s ({run.PreparationSeconds:F1} s preparation), {run.TrainImagesPerSecond:N0} img/s in the loop, accuracy {run.Accuracy:P2}");
        return run;
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
}
