using System.Text.Json.Serialization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// One configuration over its seeds: accuracy as mean, min and max (and per seed), times as medians,
/// the time to 99% per seed (a seed that never reached it is a miss), the bare TorchSharp baseline and
/// the scoring figures (medians, ratios to their baselines taken per run).
/// </summary>
internal sealed record BenchSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("evaluation")] string Evaluation,
    [property: JsonPropertyName("seeds")] IReadOnlyList<int> Seeds,
    [property: JsonPropertyName("accuracy")] SeedStatistics Accuracy,
    [property: JsonPropertyName("tta_accuracy")] SeedStatistics? TtaAccuracy,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("preparation_seconds")] double PreparationSeconds,
    [property: JsonPropertyName("loop_seconds")] double LoopSeconds,
    [property: JsonPropertyName("seconds_to_99")] TimeToTarget SecondsTo99,
    [property: JsonPropertyName("images_to_99")] TimeToTarget ImagesTo99,
    [property: JsonPropertyName("train_images_per_second")] double TrainImagesPerSecond,
    [property: JsonPropertyName("training_flops_per_image")] double TrainingFlopsPerImage,
    [property: JsonPropertyName("training_gflops_per_second")] double TrainingGflopsPerSecond,
    [property: JsonPropertyName("bare_torchsharp")] BareSummary? Bare,
    [property: JsonPropertyName("scoring")] ScoringSummary? Scoring,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb,
    [property: JsonPropertyName("runs")] IReadOnlyList<BenchRun> Runs)
{
    /// <summary>Summarises the library runs of one configuration and the bare runs, if any.</summary>
    public static BenchSummary Of(string name, string description, IReadOnlyList<BenchRun> runs)
    {
        var library = runs.Where(r => r.Kind == BenchRun.Library).OrderBy(r => r.Seed).ToList();
        if (library.Count == 0) throw new ArgumentException($"No library runs of '{name}'.", nameof(runs));
        var bare = runs.Where(r => r.Kind == BenchRun.BareTorchSharp).OrderBy(r => r.Seed).ToList();
        double Median(Func<BenchRun, double> f) => Stats.Median(library.Select(f));
        return new BenchSummary(name, description, library[0].Evaluation, library.Select(r => r.Seed).ToList(),
            SeedStatistics.Of(library.Select(r => r.Accuracy).ToList()),
            library.All(r => r.TtaAccuracy is not null) ? SeedStatistics.Of(library.Select(r => r.TtaAccuracy!.Value).ToList()) : null,
            Median(r => r.TrainSeconds), Median(r => r.PreparationSeconds), Median(r => r.LoopSeconds),
            TimeToTarget.Of(library.Select(r => r.SecondsTo99).ToList()),
            TimeToTarget.Of(library.Select(r => (double?)r.ImagesTo99).ToList()),
            Median(r => r.TrainImagesPerSecond), library[0].TrainingFlopsPerImage, Median(r => r.TrainingGflopsPerSecond),
            bare.Count == 0 ? null : BareSummary.Of(library, bare),
            library.All(r => r.Scoring is not null) ? ScoringSummary.Of(library.Select(r => r.Scoring!).ToList()) : null,
            Median(r => r.PeakRssMb), runs);
    }
}

/// <summary>A figure over seeds: mean, min, max and the value of every seed (in seed order).</summary>
internal sealed record SeedStatistics(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("per_seed")] IReadOnlyList<double> PerSeed)
{
    public static SeedStatistics Of(IReadOnlyList<double> values) => new(values.Average(), values.Min(), values.Max(), values);
}

/// <summary>
/// The time to a target accuracy over seeds (in seconds, or in training images): every seed's time (null where
/// it was not reached), the misses, and the mean, which exists only when every seed reached the target (a miss has no time).
/// </summary>
internal sealed record TimeToTarget(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("misses")] int Misses,
    [property: JsonPropertyName("per_seed")] IReadOnlyList<double?> PerSeed)
{
    public static TimeToTarget Of(IReadOnlyList<double?> perSeed)
    {
        int misses = perSeed.Count(t => t is null);
        return new TimeToTarget(misses == 0 && perSeed.Count > 0 ? perSeed.Average(t => t!.Value) : null, misses, perSeed);
    }
}

/// <summary>
/// The bare TorchSharp loop against the library, same configuration and seeds: medians, and our
/// overhead (positive: we are slower) end to end (training time) and in the loop (images/s), each the
/// median over the seeds of a library run against the bare run of the same seed, which ran right after
/// it: the two share the machine's state of the moment, which drifts between runs minutes apart by more
/// than the overhead measured (noisy neighbours on a shared VM).
/// </summary>
internal sealed record BareSummary(
    [property: JsonPropertyName("comparable")] bool Comparable,
    [property: JsonPropertyName("not_comparable")] string? NotComparable,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("preparation_seconds")] double PreparationSeconds,
    [property: JsonPropertyName("loop_seconds")] double LoopSeconds,
    [property: JsonPropertyName("train_images_per_second")] double TrainImagesPerSecond,
    [property: JsonPropertyName("training_gflops_per_second")] double TrainingGflopsPerSecond,
    [property: JsonPropertyName("accuracy")] SeedStatistics? Accuracy,
    [property: JsonPropertyName("seconds_to_99")] TimeToTarget? SecondsTo99,
    [property: JsonPropertyName("overhead_percent")] double OverheadPercent,
    [property: JsonPropertyName("loop_overhead_percent")] double LoopOverheadPercent)
{
    public static BareSummary Of(IReadOnlyList<BenchRun> library, IReadOnlyList<BenchRun> bare)
    {
        if (bare.FirstOrDefault(r => r.NotComparable is not null) is { } refused)
            return new BareSummary(false, refused.NotComparable, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, null, null, double.NaN, double.NaN);
        var pairs = library.Join(bare, r => r.Seed, r => r.Seed, (ours, theirs) => (Ours: ours, Theirs: theirs)).ToList();
        if (pairs.Count == 0)
            throw new InvalidOperationException($"The bare runs (seeds {string.Join(", ", bare.Select(r => r.Seed))}) share no seed with the library runs.");
        return new BareSummary(true, null, Stats.Median(bare.Select(r => r.TrainSeconds)), Stats.Median(bare.Select(r => r.PreparationSeconds)),
            Stats.Median(bare.Select(r => r.LoopSeconds)), Stats.Median(bare.Select(r => r.TrainImagesPerSecond)),
            Stats.Median(bare.Select(r => r.TrainingGflopsPerSecond)), SeedStatistics.Of(bare.Select(r => r.Accuracy).ToList()),
            TimeToTarget.Of(bare.Select(r => r.SecondsTo99).ToList()),
            Stats.Median(pairs.Select(p => (p.Ours.TrainSeconds / p.Theirs.TrainSeconds - 1) * 100)),
            Stats.Median(pairs.Select(p => (p.Theirs.TrainImagesPerSecond / p.Ours.TrainImagesPerSecond - 1) * 100)));
    }
}

/// <summary>Medians of the scoring figures over the runs, and the medians of the per-run ratios to the baselines.</summary>
internal sealed record ScoringSummary(
    [property: JsonPropertyName("medians")] ScoringFigures Medians,
    [property: JsonPropertyName("transform_vs_bare_forward")] double TransformVsBareForward,
    [property: JsonPropertyName("loaded_vs_onnxruntime")] double LoadedVsOnnxRuntime,
    [property: JsonPropertyName("eight_vs_one_caller")] double EightVsOneCaller,
    [property: JsonPropertyName("loaded_eight_vs_one_caller")] double LoadedEightVsOneCaller)
{
    public static ScoringSummary Of(IReadOnlyList<ScoringFigures> runs)
    {
        double M(Func<ScoringFigures, double> f) => Stats.Median(runs.Select(f));
        var medians = new ScoringFigures(
            M(s => s.EvaluateImagesPerSecond), M(s => s.TransformImagesPerSecond), M(s => s.BareForwardImagesPerSecond),
            M(s => s.LoadedEvaluateImagesPerSecond), M(s => s.LoadedTransformImagesPerSecond), M(s => s.OnnxRuntimeImagesPerSecond),
            M(s => s.LatencyP50Ms), M(s => s.LatencyP99Ms), M(s => s.LoadedLatencyP50Ms), M(s => s.LoadedLatencyP99Ms),
            M(s => s.OneCallerRowsPerSecond), M(s => s.EightCallersRowsPerSecond), M(s => s.LoadedOneCallerRowsPerSecond), M(s => s.LoadedEightCallersRowsPerSecond),
            runs[0].BatchSize, runs[0].OnnxRuntimeSettings);
        return new ScoringSummary(medians,
            M(s => s.TransformImagesPerSecond / s.BareForwardImagesPerSecond),
            M(s => s.LoadedTransformImagesPerSecond / s.OnnxRuntimeImagesPerSecond),
            M(s => s.EightCallersRowsPerSecond / s.OneCallerRowsPerSecond),
            M(s => s.LoadedEightCallersRowsPerSecond / s.LoadedOneCallerRowsPerSecond));
    }
}
