using System.Globalization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// Writes benchmark summaries as Markdown (readable in a terminal, and the README's benchmark section):
/// accuracy and training over seeds, the bare TorchSharp baseline, and scoring against its baselines.
/// </summary>
internal static class BenchTable
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static void Write(TextWriter output, IReadOnlyList<BenchSummary> summaries, string machine, string command)
    {
        if (summaries.Count == 0) return;
        string evaluation = summaries[0].Evaluation;
        string acc = evaluation == "test" ? "test acc" : "val acc";
        output.WriteLine($"Machine: {machine}");
        output.WriteLine();
        output.WriteLine($"Command: `{command}`");
        output.WriteLine();
        output.WriteLine($"Accuracy on: {evaluation}. Every configuration ran once per seed, each run in its own process. Accuracy: mean [min-max] over the seeds, then each seed's; times: medians over the seeds. " +
                         "Training time is what a user waits for, from the start of Fit (data already in memory: reading it into tensors, statistics, building the network) to the trained model; " +
                         "only the accuracy checks that find the time to 99% are left out. Time to 99%: the same clock, per seed (`miss`: never reached); the mean only when every seed reached it " +
                         "(an ensemble's accuracy exists only once all its networks are trained: reached at the end or missed). TTA: " + TestTimeAugmentation.Description + ", reported apart from the plain accuracy.");
        output.WriteLine();
        output.WriteLine($"| config | seeds | {acc} mean [min-max] | {acc} per seed | TTA {acc} mean [min-max] | train s | s to 99% mean | s to 99% per seed | train img/s | MFLOP/img (train) | GFLOP/s | peak RSS MB |");
        output.WriteLine("| --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
        foreach (var s in summaries)
        {
            output.WriteLine(string.Format(Ci, "| {0} | {1} | {2:F2}% [{3:F2}-{4:F2}] | {5} | {6} | {7:F1} | {8} | {9} | {10:N0} | {11:F2} | {12:F1} | {13:N0} |",
                s.Name, string.Join(",", s.Seeds), s.Accuracy.Mean * 100, s.Accuracy.Min * 100, s.Accuracy.Max * 100,
                string.Join(" / ", s.Accuracy.PerSeed.Select(a => (a * 100).ToString("F2", Ci))),
                s.TtaAccuracy is { } tta ? string.Format(Ci, "{0:F2}% [{1:F2}-{2:F2}]", tta.Mean * 100, tta.Min * 100, tta.Max * 100) : "-",
                s.TrainSeconds, MeanTime(s.SecondsTo99), PerSeedTimes(s.SecondsTo99),
                s.TrainImagesPerSecond, s.TrainingFlopsPerImage / 1e6, s.TrainingGflopsPerSecond, s.PeakRssMb));
        }
        WriteSoonerRatio(output, summaries);

        var bare = summaries.Where(s => s.Bare is not null).ToList();
        if (bare.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Against a bare TorchSharp loop (`BareTorchSharpTraining`: the same network, recipe, seeds and threads written directly against TorchSharp, no ML.NET, no library code; data normalised once up front), " +
                             "run right after each library run and stopped for the same accuracy checks (outside its clock too). Overhead: how much longer we take (training time, as above) or how much fewer images/s the training loop runs; negative: we are faster; each the median over the seeds of a run against the bare run of the same seed, right after it. Set-up: the part of the training time before the first batch (both clocks include loading LibTorch, which each process does on its first TorchSharp call).");
            output.WriteLine();
            output.WriteLine($"| config | train s (ours) | train s (bare) | overhead | set-up s (ours) | set-up s (bare) | loop img/s (ours) | loop img/s (bare) | loop overhead | GFLOP/s (ours) | GFLOP/s (bare) | {acc} (bare) mean [min-max] | s to 99% (bare) per seed |");
            output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var s in bare)
            {
                var b = s.Bare!;
                if (!b.Comparable)
                {
                    output.WriteLine($"| {s.Name} | {s.TrainSeconds.ToString("F1", Ci)} | not comparable: {b.NotComparable} | | | | | | | | | | |");
                    continue;
                }
                output.WriteLine(string.Format(Ci, "| {0} | {1:F1} | {2:F1} | {3:+0.0;-0.0}% | {13:F2} | {14:F2} | {4:N0} | {5:N0} | {6:+0.0;-0.0}% | {7:F1} | {8:F1} | {9:F2}% [{10:F2}-{11:F2}] | {12} |",
                    s.Name, s.TrainSeconds, b.TrainSeconds, b.OverheadPercent, s.TrainImagesPerSecond, b.TrainImagesPerSecond, b.LoopOverheadPercent,
                    s.TrainingGflopsPerSecond, b.TrainingGflopsPerSecond, b.Accuracy!.Mean * 100, b.Accuracy.Min * 100, b.Accuracy.Max * 100,
                    PerSeedTimes(b.SecondsTo99!), s.PreparationSeconds, b.PreparationSeconds));
            }
        }

        var scoring = summaries.Where(s => s.Scoring is not null).ToList();
        if (scoring.Count > 0)
        {
            var first = scoring[0].Scoring!.Medians;
            output.WriteLine();
            output.WriteLine(string.Format(Ci,
                "Scoring (medians over the seeds; ratios are medians of per-run ratios, each measured in one process). Batched: `Transform` (+ `Evaluate`) over the evaluation images, {0} rows per network call; " +
                "the trained transformer (its default scoring engine on the CPU: ONNX Runtime on the graph model.zip saves, see TorchCnnOptions.ScoringEngine) against the same network and weights as plain TorchSharp modules (forward + softmax on the same batches), and the model loaded from model.zip (ML.NET's OnnxTransformer, row by row) " +
                "against ONNX Runtime alone on the same graph in batches; {2}. Latency: one image per `PredictionEngine.Predict`. Callers: single-row `Predict` from 1 thread and from 8 threads at once (one engine each), rows/s in total. " +
                "ONNX Runtime: {1}.", first.BatchSize, first.OnnxRuntimeSettings, SteadyRate.Description));
            output.WriteLine();
            output.WriteLine("| config | Transform+Evaluate img/s | Transform img/s | bare forward img/s | ratio | loaded Transform+Evaluate img/s | loaded Transform img/s | ONNX Runtime img/s | ratio | p50 ms | p99 ms | loaded p50 ms | 1 caller rows/s | 8 callers rows/s | loaded 1 caller | loaded 8 callers |");
            output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var s in scoring)
            {
                var m = s.Scoring!.Medians;
                output.WriteLine(string.Format(Ci, "| {0} | {1:N0} | {2:N0} | {3:N0} | {4:F2} | {5:N0} | {6:N0} | {7:N0} | {8:F2} | {9:F3} | {10:F3} | {11:F3} | {12:N0} | {13:N0} | {14:N0} | {15:N0} |",
                    s.Name, m.EvaluateImagesPerSecond, m.TransformImagesPerSecond, m.BareForwardImagesPerSecond, s.Scoring.TransformVsBareForward,
                    m.LoadedEvaluateImagesPerSecond, m.LoadedTransformImagesPerSecond, m.OnnxRuntimeImagesPerSecond, s.Scoring.LoadedVsOnnxRuntime,
                    m.LatencyP50Ms, m.LatencyP99Ms, m.LoadedLatencyP50Ms, m.OneCallerRowsPerSecond, m.EightCallersRowsPerSecond,
                    m.LoadedOneCallerRowsPerSecond, m.LoadedEightCallersRowsPerSecond));
            }
        }

        output.WriteLine();
        foreach (var s in summaries) output.WriteLine($"- {s.Name}: {s.Description}");
    }

    /// <summary>
    /// The default recipe's mean time to 99% against the previous default's (<see cref="BenchConfig.PreviousFast"/>),
    /// both measured by this run, when both ran and every seed of both reached 99%.
    /// </summary>
    private static void WriteSoonerRatio(TextWriter output, IReadOnlyList<BenchSummary> summaries)
    {
        var current = summaries.FirstOrDefault(s => s.Name == TorchCnnPresets.Names[0]);
        var previous = summaries.FirstOrDefault(s => s.Name == BenchConfig.PreviousFast.Name);
        if (current is null || previous is null) return;
        output.WriteLine();
        output.WriteLine(current.SecondsTo99.Mean is double now && previous.SecondsTo99.Mean is double before
            ? string.Format(Ci, "99% sooner: {0} reaches 99% in {1:F1} s (mean over seeds), {2:F2}x the {3:F1} s of {4} (the 0.1 default recipe) in this same run.",
                current.Name, now, now / before, before, previous.Name)
            : $"99% sooner: no ratio, {current.Name} {MeanTime(current.SecondsTo99)} and {previous.Name} {MeanTime(previous.SecondsTo99)} (a ratio needs every seed of both to reach 99%).");
        if (current.ImagesTo99.Mean is double images && previous.ImagesTo99.Mean is double previousImages)
            output.WriteLine(string.Format(Ci, "In training images, which the machine's speed of the moment does not change: {0:N0} against {1:N0} (mean over seeds), {2:F2}x; per seed {3} against {4}.",
                images, previousImages, images / previousImages, PerSeedImages(current.ImagesTo99), PerSeedImages(previous.ImagesTo99)));
    }

    /// <summary>Every seed's training images to 99%, <c>miss</c> where it was not reached.</summary>
    public static string PerSeedImages(TimeToTarget images) =>
        string.Join(" / ", images.PerSeed.Select(t => t is double v ? v.ToString("N0", Ci) : "miss"));

    /// <summary>The mean time to 99%, or how many seeds missed it.</summary>
    public static string MeanTime(TimeToTarget time) =>
        time.Mean is double mean ? mean.ToString("F1", Ci) : string.Format(Ci, "{0} of {1} missed", time.Misses, time.PerSeed.Count);

    /// <summary>Every seed's time to 99%, <c>miss</c> where it was not reached.</summary>
    public static string PerSeedTimes(TimeToTarget time) =>
        string.Join(" / ", time.PerSeed.Select(t => t is double v ? v.ToString("F1", Ci) : "miss"));
}
