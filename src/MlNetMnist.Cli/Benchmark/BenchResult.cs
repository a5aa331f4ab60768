using System.Text.Json.Serialization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>What one benchmark run of one configuration measured.</summary>
internal sealed record BenchRun(
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("seconds_to_99")] double? SecondsTo99,
    [property: JsonPropertyName("epoch_reaching_99")] int? EpochReaching99,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy,
    [property: JsonPropertyName("train_images_per_second")] double TrainImagesPerSecond,
    [property: JsonPropertyName("score_images_per_second")] double ScoreImagesPerSecond,
    [property: JsonPropertyName("loaded_score_images_per_second")] double LoadedScoreImagesPerSecond,
    [property: JsonPropertyName("latency_p50_ms")] double LatencyP50Ms,
    [property: JsonPropertyName("latency_p99_ms")] double LatencyP99Ms,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("test_accuracy_per_epoch")] IReadOnlyList<double> TestAccuracyPerEpoch);

/// <summary>Median of each figure over the runs of one configuration, with the runs themselves.</summary>
internal sealed record BenchSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("seconds_to_99")] double? SecondsTo99,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy,
    [property: JsonPropertyName("train_images_per_second")] double TrainImagesPerSecond,
    [property: JsonPropertyName("score_images_per_second")] double ScoreImagesPerSecond,
    [property: JsonPropertyName("loaded_score_images_per_second")] double LoadedScoreImagesPerSecond,
    [property: JsonPropertyName("latency_p50_ms")] double LatencyP50Ms,
    [property: JsonPropertyName("latency_p99_ms")] double LatencyP99Ms,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("spread")] IReadOnlyDictionary<string, double[]> Spread,
    [property: JsonPropertyName("all_runs")] IReadOnlyList<BenchRun> AllRuns)
{
    /// <summary>Medians (and min-max spread) of <paramref name="runs"/>.</summary>
    public static BenchSummary Of(string name, string description, IReadOnlyList<BenchRun> runs)
    {
        double Median(Func<BenchRun, double> f) => Stats.Median(runs.Select(f));
        double[] Range(Func<BenchRun, double> f) => new[] { runs.Min(f), runs.Max(f) };
        var reached = runs.Where(r => r.SecondsTo99 is not null).Select(r => r.SecondsTo99!.Value).ToList();
        return new BenchSummary(name, description, runs.Count,
            Median(r => r.TrainSeconds),
            // The median over all runs: unreached counts as infinitely slow.
            reached.Count * 2 > runs.Count ? Stats.Median(runs.Select(r => r.SecondsTo99 ?? double.PositiveInfinity)) : null,
            Median(r => r.TestAccuracy),
            Median(r => r.TrainImagesPerSecond),
            Median(r => r.ScoreImagesPerSecond),
            Median(r => r.LoadedScoreImagesPerSecond),
            Median(r => r.LatencyP50Ms),
            Median(r => r.LatencyP99Ms),
            Median(r => r.PeakRssMb),
            new Dictionary<string, double[]>
            {
                ["train_seconds"] = Range(r => r.TrainSeconds),
                ["test_accuracy"] = Range(r => r.TestAccuracy),
                ["score_images_per_second"] = Range(r => r.ScoreImagesPerSecond),
                ["loaded_score_images_per_second"] = Range(r => r.LoadedScoreImagesPerSecond),
                ["latency_p50_ms"] = Range(r => r.LatencyP50Ms),
                ["peak_rss_mb"] = Range(r => r.PeakRssMb),
            },
            runs);
    }
}

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
