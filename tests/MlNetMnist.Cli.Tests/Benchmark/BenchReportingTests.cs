using MlNetMnist.Cli;
using MlNetMnist.Cli.Benchmark;
using MlNetMnist.Cli.Commands;
using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Cli.Benchmark;

/// <summary>How the benchmark reports seeds: summaries, tables, the seed list, the README section (no training).</summary>
public class BenchReportingTests
{
    private static BenchRun Run(int seed, double accuracy, double? to99, double trainSeconds = 10, string kind = BenchRun.Library, double rate = 9000, double preparation = 0.5) =>
        new("fast", kind, seed, "test", 60000, 10000, trainSeconds, preparation, trainSeconds - preparation, 1.2, to99, to99 is null ? null : 2, 2, accuracy,
            [accuracy - 0.01, accuracy], rate, 6.3e6, rate * 6.3e6 / 1e9, kind == BenchRun.Library ? Scoring(seed) : null, 1000);

    private static ScoringFigures Scoring(int seed) =>
        new(30000 + seed, 40000 + seed, 44000, 27000, 28000, 35000, 0.2, 0.5, 0.1, 0.3, 4000, 6000 + seed, 9000, 12000, 256, "graph optimisation ORT_ENABLE_ALL");

    [Fact]
    public void AccuracyIsMeanMinMaxOverSeedsWithEverySeedAndAMissHasNoTime()
    {
        var summary = BenchSummary.Of("fast", "recipe", [Run(2, 0.993, null, 11), Run(1, 0.991, 10.0, 10), Run(3, 0.989, 12.0, 13)]);

        Assert.Equal(new[] { 1, 2, 3 }, summary.Seeds);
        Assert.Equal(new[] { 0.991, 0.993, 0.989 }, summary.Accuracy.PerSeed);
        Assert.Equal(0.991, summary.Accuracy.Mean, 12);
        Assert.Equal(0.989, summary.Accuracy.Min);
        Assert.Equal(0.993, summary.Accuracy.Max);
        Assert.Equal(11, summary.TrainSeconds); // median
        Assert.Equal(new double?[] { 10.0, null, 12.0 }, summary.SecondsTo99.PerSeed);
        Assert.Equal(1, summary.SecondsTo99.Misses);
        Assert.Null(summary.SecondsTo99.Mean); // a miss has no time: no mean over the seeds

        var table = Table(summary);
        Assert.Contains("| fast | 1,2,3 | 99.10% [98.90-99.30] | 99.10 / 99.30 / 98.90 | - | 11.0 | 1 of 3 missed | 10.0 / miss / 12.0 |", table);
        Assert.Contains("Accuracy on: test.", table);
    }

    [Fact]
    public void TimeTo99IsTheMeanWhenEverySeedReachedIt()
    {
        var summary = BenchSummary.Of("fast", "recipe", [Run(1, 0.991, 10.0), Run(2, 0.992, 11.0), Run(3, 0.990, 13.0)]);
        Assert.Equal(0, summary.SecondsTo99.Misses);
        Assert.Equal(34.0 / 3, summary.SecondsTo99.Mean!.Value, 12);
        Assert.Contains("| 11.3 | 10.0 / 11.0 / 13.0 |", Table(summary));
    }

    [Fact]
    public void TestTimeAugmentationHasItsOwnColumnAndLeavesThePlainAccuracyAlone()
    {
        var summary = BenchSummary.Of("fast", "recipe",
            [Run(1, 0.991, 10) with { TtaAccuracy = 0.993 }, Run(2, 0.990, 10) with { TtaAccuracy = 0.994 }]);
        Assert.Equal(0.9905, summary.Accuracy.Mean, 12);
        Assert.Equal(0.9935, summary.TtaAccuracy!.Mean, 12);
        Assert.Contains("| fast | 1,2 | 99.05% [99.00-99.10] | 99.10 / 99.00 | 99.35% [99.30-99.40] |", Table(summary));
    }

    [Fact]
    public void TestTimeAugmentationShiftsByOnePixelWithZerosShiftedIn()
    {
        float[] image = [1, 2, 3, 4, 5, 6]; // 2 rows x 3 columns
        var target = new float[6];
        TestTimeAugmentation.Shift(image, target, 2, 3, 1, 0);
        Assert.Equal(new float[] { 0, 1, 2, 0, 4, 5 }, target);
        TestTimeAugmentation.Shift(image, target, 2, 3, -1, 0);
        Assert.Equal(new float[] { 2, 3, 0, 5, 6, 0 }, target);
        TestTimeAugmentation.Shift(image, target, 2, 3, 0, 1);
        Assert.Equal(new float[] { 0, 0, 0, 1, 2, 3 }, target);
        TestTimeAugmentation.Shift(image, target, 2, 3, 0, -1);
        Assert.Equal(new float[] { 4, 5, 6, 0, 0, 0 }, target);
        TestTimeAugmentation.Shift(image, target, 2, 3, 0, 0);
        Assert.Equal(image, target);
    }

    [Fact]
    public void BareBaselineGivesTheOverheadOfEachSeedAgainstItsOwnBareRun()
    {
        // Each library run against the bare run of its seed (right after it): +5.26%, +20%, -9.09%; the median of the
        // pairs is +5.26%, where the ratio of the medians (12 s against 11 s) would say +9.09%.
        var runs = new[]
        {
            Run(1, 0.991, 10, trainSeconds: 20, rate: 9000), Run(1, 0.990, null, trainSeconds: 19, kind: BenchRun.BareTorchSharp, rate: 9900, preparation: 0.4),
            Run(2, 0.992, 10, trainSeconds: 12, rate: 9000), Run(2, 0.991, null, trainSeconds: 10, kind: BenchRun.BareTorchSharp, rate: 9900, preparation: 0.4),
            Run(3, 0.993, 10, trainSeconds: 10, rate: 9000), Run(3, 0.992, null, trainSeconds: 11, kind: BenchRun.BareTorchSharp, rate: 9900, preparation: 0.4),
        };
        var summary = BenchSummary.Of("fast", "recipe", runs);
        Assert.Equal(new[] { 1, 2, 3 }, summary.Seeds); // bare runs are not seeds of their own
        Assert.True(summary.Bare!.Comparable);
        Assert.Equal((20.0 / 19 - 1) * 100, summary.Bare.OverheadPercent, 9);
        Assert.Equal(10.0, summary.Bare.LoopOverheadPercent, 9);  // 9,900 img/s against 9,000 in every pair
        Assert.Equal(11.0, summary.Bare.TrainSeconds, 9);
        Assert.Equal(0.4, summary.Bare.PreparationSeconds, 9);
        Assert.Equal(0.991, summary.Bare.Accuracy!.Mean, 12);
        Assert.Contains("| fast | 12.0 | 11.0 | +5.3% | 0.50 | 0.40 | 9,000 | 9,900 | +10.0% |", Table(summary));

        var refused = new BenchRun("accurate", BenchRun.BareTorchSharp, 1, "test", 0, 0, 0, 0, 0, 0, null, null, 0, 0, [], 0, 0, 0, null, 0, "Augmentation = ... is not mirrored by the bare loop");
        var withRefusal = BenchSummary.Of("accurate", "recipe", [Run(1, 0.996, 100), refused]);
        Assert.False(withRefusal.Bare!.Comparable);
        Assert.Contains("not comparable: Augmentation", Table(withRefusal));
    }

    [Fact]
    public void ScoringRatiosAreMediansOfPerRunRatios()
    {
        var summary = BenchSummary.Of("fast", "recipe", [Run(1, 0.99, 10), Run(2, 0.99, 10), Run(3, 0.99, 10)]);
        var scoring = summary.Scoring!;
        Assert.Equal(40002, scoring.Medians.TransformImagesPerSecond);
        Assert.Equal(40002 / 44000.0, scoring.TransformVsBareForward, 12);
        Assert.Equal(28000 / 35000.0, scoring.LoadedVsOnnxRuntime, 12);
        Assert.Equal(6002 / 4000.0, scoring.EightVsOneCaller, 12);
        Assert.Contains("ONNX Runtime: graph optimisation ORT_ENABLE_ALL.", Table(summary));
    }

    [Fact]
    public void SeedsComeFromTheListOrTheRunCountAndMustDiffer()
    {
        Assert.Equal(new[] { 1, 2, 3 }, BenchCommand.ParseSeeds(null, null));
        Assert.Equal(new[] { 7, 11 }, BenchCommand.ParseSeeds("7, 11", null));
        Assert.Equal(new[] { 1, 2, 3, 4 }, BenchCommand.ParseSeeds(null, 4));
        Assert.Contains("given twice", Assert.Throws<UsageException>(() => BenchCommand.ParseSeeds("1,2,1", null)).Message);
        Assert.Contains("not a seed", Assert.Throws<UsageException>(() => BenchCommand.ParseSeeds("1,x", null)).Message);
        Assert.Contains("one or the other", Assert.Throws<UsageException>(() => BenchCommand.ParseSeeds("1", 2)).Message);
    }

    [Fact]
    public void ReadmeTablesAreReplacedBetweenTheMarkersOnly()
    {
        string readme = $"# Title\n\nBefore.\n{BenchCommand.ReadmeBegin}\nold table\n{BenchCommand.ReadmeEnd}\nAfter.\n";
        string updated = BenchCommand.ReadmeSection(readme, "| new | table |\n", "README.md");
        Assert.Equal($"# Title\n\nBefore.\n{BenchCommand.ReadmeBegin}\n| new | table |\n{BenchCommand.ReadmeEnd}\nAfter.\n", updated);
        Assert.Equal(updated, BenchCommand.ReadmeSection(updated, "| new | table |", "README.md"));
        Assert.Contains("are missing", Assert.Throws<UsageException>(() => BenchCommand.ReadmeSection("# no markers", "x", "README.md")).Message);
    }

    [Fact]
    public void FlopsPerImageComeFromTheConvolutionsAndLinearLayers()
    {
        var fast = Architectures.Create(NetworkArchitecture.FastCnn, 1, 28, 28, 10, NormalizeSpec.ForPixels(0.13f, 0.31f));
        // conv 5x5 1->16 on 24x24, conv 5x5 16->32 on 8x8, linear 512->10.
        long macs = 24 * 24 * 16 * 25 + 8 * 8 * 32 * 16 * 25 + 512 * 10;
        Assert.Equal(macs, NetworkFlops.MultiplyAdds(fast));
        Assert.Equal(6.0 * macs, NetworkFlops.Training(fast));
        var mlp = Architectures.Create(NetworkArchitecture.Mlp, 1, 28, 28, 10, NormalizeSpec.ForPixels(0.13f, 0.31f));
        Assert.Equal(784 * 512 + 512 * 512 + 512 * 10, NetworkFlops.MultiplyAdds(mlp));
        var wide = Architectures.Create(NetworkArchitecture.WideCnn, 1, 28, 28, 10, NormalizeSpec.ForPixels(0.13f, 0.31f));
        Assert.Equal(28 * 28 * 32 * 25 + 14 * 14 * 64 * 32 * 9 + 7 * 7 * 128 * 64 * 9 + 3 * 3 * 128 * 10, NetworkFlops.MultiplyAdds(wide));
    }

    [Fact]
    public void TheBareLoopRunsOnlyRecipesItMirrors()
    {
        Assert.Null(BareTorchSharpTraining.NotComparable(TorchCnnPresets.Fast()));
        Assert.Null(BareTorchSharpTraining.NotComparable(TorchCnnPresets.Classic()));
        Assert.Null(BareTorchSharpTraining.NotComparable(TorchCnnPresets.Mlp()));
        Assert.Contains("Augmentation", BareTorchSharpTraining.NotComparable(TorchCnnPresets.Accurate()));
        Assert.Contains("EarlyStoppingPatience", BareTorchSharpTraining.NotComparable(new TorchCnnOptions { EarlyStoppingPatience = 2 }));
    }

    [Fact]
    public void ImagesTo99CountTheImagesOfTheFirstCheckOrEpochEndAtTheTarget()
    {
        static TrainingProgress Epoch(int epoch, double accuracy, double seconds) =>
            new(epoch, 3, 0.1, 0.99, 0.05, accuracy, 0.01, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(seconds), 1000, TimeSpan.FromSeconds(seconds));
        var history = new TrainingHistory();
        history.Add(new ValidationCheck(1, 50, TimeSpan.FromSeconds(2), 0.1, 0.985));
        history.Add(Epoch(1, 0.988, 4));
        history.Add(new ValidationCheck(2, 50, TimeSpan.FromSeconds(6), 0.1, 0.9905)); // the first at 99%
        history.Add(Epoch(2, 0.992, 8));
        // 1,000 training images, batches of 10: epoch 1 whole, then 50 batches of epoch 2.
        Assert.Equal(1000 + 500, BenchRunner.ImagesToFirstReaching(history, 0.99, 1000, 10));
        Assert.Equal(2000, BenchRunner.ImagesToFirstReaching(history, 0.991, 1000, 10)); // only the end of epoch 2 reached it
        Assert.Null(BenchRunner.ImagesToFirstReaching(history, 0.995, 1000, 10));
        // The last batch of an epoch may be short: a check never counts more than the epoch's images.
        history.Add(new ValidationCheck(3, 101, TimeSpan.FromSeconds(9), 0.1, 0.999));
        Assert.Equal(3000, BenchRunner.ImagesToFirstReaching(history, 0.999, 1000, 10));
    }

    [Fact]
    public void TheSoonerRatioIsAlsoGivenInTrainingImages()
    {
        BenchSummary Of(string name, long?[] images) => BenchSummary.Of(name, "recipe",
            images.Select((n, i) => Run(i + 1, 0.991, n is null ? null : 5.0 + i) with { Config = name, ImagesTo99 = n }).ToList());
        var current = Of("fast", [60_000, 70_000, 80_000]);
        var previous = Of(BenchConfig.PreviousFast.Name, [100_000, 100_000, 100_000]);
        Assert.Equal(70_000, current.ImagesTo99.Mean!.Value, 9);

        var writer = new StringWriter();
        BenchTable.Write(writer, [current, previous], "test machine", "mlnetmnist bench");
        Assert.Contains("In training images, which the machine's speed of the moment does not change: 70,000 against 100,000 (mean over seeds), 0.70x; per seed 60,000 / 70,000 / 80,000 against 100,000 / 100,000 / 100,000.", writer.ToString());

        var missed = Of("fast", [60_000, null, 80_000]);
        writer = new StringWriter();
        BenchTable.Write(writer, [missed, previous], "test machine", "mlnetmnist bench");
        Assert.DoesNotContain("In training images", writer.ToString()); // a miss has no count: no ratio
    }

    private static string Table(BenchSummary summary)
    {
        var writer = new StringWriter();
        BenchTable.Write(writer, [summary], "test machine", "mlnetmnist bench");
        return writer.ToString();
    }
}
