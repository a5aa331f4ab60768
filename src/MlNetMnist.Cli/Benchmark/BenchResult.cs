using System.Text.Json.Serialization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>What one run (one configuration, one seed, in its own process) measured.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Kind"><see cref="Library"/> (through ML.NET and this library) or <see cref="BareTorchSharp"/> (the baseline loop).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Evaluation">What the accuracy is measured on.</param>
/// <param name="TrainRows">Training images.</param>
/// <param name="EvaluationRows">Evaluation images.</param>
/// <param name="TrainSeconds">What a user waits for: from the start of training (data in memory) to the trained model, without the accuracy checks.</param>
/// <param name="PreparationSeconds">Part of <paramref name="TrainSeconds"/> before the first batch (data into tensors, statistics, network).</param>
/// <param name="LoopSeconds">Part of <paramref name="TrainSeconds"/> in the training loop.</param>
/// <param name="CheckSeconds">Time spent in the accuracy checks (excluded from the training time).</param>
/// <param name="SecondsTo99">Training time (as <paramref name="TrainSeconds"/>) until the accuracy first reached 99%; null: not reached.</param>
/// <param name="EpochReaching99">The epoch in which it did.</param>
/// <param name="Epochs">Epochs trained (per network).</param>
/// <param name="Accuracy">Final accuracy on the evaluation images (0-1).</param>
/// <param name="AccuracyPerEpoch">Accuracy after each epoch (of the first network of an ensemble).</param>
/// <param name="TrainImagesPerSecond">Images through the training loop per second of loop time.</param>
/// <param name="TrainingFlopsPerImage">Floating-point operations of one training step per image (forward + backward, from the network definition).</param>
/// <param name="TrainingGflopsPerSecond"><paramref name="TrainImagesPerSecond"/> x <paramref name="TrainingFlopsPerImage"/> / 1e9.</param>
/// <param name="Scoring">Scoring figures (library runs only).</param>
/// <param name="PeakRssMb">Peak resident memory of the run's process.</param>
/// <param name="NotComparable">Why a bare run was not made (its recipe has something the bare loop does not mirror); null otherwise.</param>
/// <param name="TtaAccuracy">Accuracy with test-time augmentation (<see cref="TestTimeAugmentation"/>; library runs only), never mixed into <paramref name="Accuracy"/>.</param>
/// <param name="ImagesTo99">Training images (counting repeats over epochs) gone through the network when the accuracy first reached 99% (an ensemble: every member's, once all are trained); null: not reached. Unlike <paramref name="SecondsTo99"/>, independent of the machine's speed of the moment.</param>
internal sealed record BenchRun(
    [property: JsonPropertyName("config")] string Config,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("evaluation")] string Evaluation,
    [property: JsonPropertyName("train_rows")] int TrainRows,
    [property: JsonPropertyName("evaluation_rows")] int EvaluationRows,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("preparation_seconds")] double PreparationSeconds,
    [property: JsonPropertyName("loop_seconds")] double LoopSeconds,
    [property: JsonPropertyName("check_seconds")] double CheckSeconds,
    [property: JsonPropertyName("seconds_to_99")] double? SecondsTo99,
    [property: JsonPropertyName("epoch_reaching_99")] int? EpochReaching99,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("accuracy_per_epoch")] IReadOnlyList<double> AccuracyPerEpoch,
    [property: JsonPropertyName("train_images_per_second")] double TrainImagesPerSecond,
    [property: JsonPropertyName("training_flops_per_image")] double TrainingFlopsPerImage,
    [property: JsonPropertyName("training_gflops_per_second")] double TrainingGflopsPerSecond,
    [property: JsonPropertyName("scoring")] ScoringFigures? Scoring,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("not_comparable")] string? NotComparable = null,
    [property: JsonPropertyName("tta_accuracy")] double? TtaAccuracy = null,
    [property: JsonPropertyName("images_to_99")] long? ImagesTo99 = null)
{
    public const string Library = "library";
    public const string BareTorchSharp = "bare-torchsharp";
}

/// <summary>Scoring rates of one run, each against a baseline measured in the same process.</summary>
/// <param name="EvaluateImagesPerSecond">Trained transformer: <c>Transform</c> + <c>Evaluate</c> over the evaluation images (warm).</param>
/// <param name="TransformImagesPerSecond">Trained transformer: <c>Transform</c>, reading <c>Score</c> and <c>PredictedLabel</c> of every row.</param>
/// <param name="BareForwardImagesPerSecond">Baseline: the same network and weights as plain TorchSharp modules, forward + softmax on batches of the same size.</param>
/// <param name="LoadedEvaluateImagesPerSecond">Model loaded from model.zip (ML.NET, row by row): <c>Transform</c> + <c>Evaluate</c>.</param>
/// <param name="LoadedTransformImagesPerSecond">Model loaded from model.zip: <c>Transform</c>, reading every row.</param>
/// <param name="OnnxRuntimeImagesPerSecond">Baseline: ONNX Runtime alone on the same graph (batch layout), batches of the same size, the same session settings.</param>
/// <param name="LatencyP50Ms">Trained transformer, one image per <c>PredictionEngine.Predict</c>: median.</param>
/// <param name="LatencyP99Ms">99th percentile of the same.</param>
/// <param name="LoadedLatencyP50Ms">Loaded model, one image per <c>Predict</c>: median.</param>
/// <param name="LoadedLatencyP99Ms">99th percentile of the same.</param>
/// <param name="OneCallerRowsPerSecond">Trained transformer: single-row <c>Predict</c> calls from one thread.</param>
/// <param name="EightCallersRowsPerSecond">Trained transformer: single-row calls from 8 threads at once (one engine each), rows per second in total.</param>
/// <param name="LoadedOneCallerRowsPerSecond">Loaded model: single-row calls from one thread.</param>
/// <param name="LoadedEightCallersRowsPerSecond">Loaded model: single-row calls from 8 threads at once.</param>
/// <param name="BatchSize">Rows per network call in batched scoring.</param>
/// <param name="OnnxRuntimeSettings">The ONNX Runtime session settings the loaded model and the baseline use.</param>
internal sealed record ScoringFigures(
    [property: JsonPropertyName("evaluate_images_per_second")] double EvaluateImagesPerSecond,
    [property: JsonPropertyName("transform_images_per_second")] double TransformImagesPerSecond,
    [property: JsonPropertyName("bare_forward_images_per_second")] double BareForwardImagesPerSecond,
    [property: JsonPropertyName("loaded_evaluate_images_per_second")] double LoadedEvaluateImagesPerSecond,
    [property: JsonPropertyName("loaded_transform_images_per_second")] double LoadedTransformImagesPerSecond,
    [property: JsonPropertyName("onnxruntime_images_per_second")] double OnnxRuntimeImagesPerSecond,
    [property: JsonPropertyName("latency_p50_ms")] double LatencyP50Ms,
    [property: JsonPropertyName("latency_p99_ms")] double LatencyP99Ms,
    [property: JsonPropertyName("loaded_latency_p50_ms")] double LoadedLatencyP50Ms,
    [property: JsonPropertyName("loaded_latency_p99_ms")] double LoadedLatencyP99Ms,
    [property: JsonPropertyName("one_caller_rows_per_second")] double OneCallerRowsPerSecond,
    [property: JsonPropertyName("eight_callers_rows_per_second")] double EightCallersRowsPerSecond,
    [property: JsonPropertyName("loaded_one_caller_rows_per_second")] double LoadedOneCallerRowsPerSecond,
    [property: JsonPropertyName("loaded_eight_callers_rows_per_second")] double LoadedEightCallersRowsPerSecond,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("onnxruntime_settings")] string OnnxRuntimeSettings);

/// <summary>Order statistics.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The nearest-rank percentile <paramref name="p"/> (0-100).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
