using System.Diagnostics;
using System.Text.Json;
using MlNetMnist.Cli.Commands;

namespace MlNetMnist.Tests.Cli.Benchmark;

/// <summary>
/// The bench command end to end on a small subset (its own process, as it starts one child process per
/// run): two seeds of the fast preset on a validation split held out from 1,000 training images, with
/// the bare TorchSharp runs; checks what is reported per seed, not how fast anything is.
/// </summary>
[Collection(MlNetMnist.Tests.Shared.TrainingCollection.Name)]
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-bench");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EverySeedIsRunAndReportedWithItsBareBaselineAndTheReadmeTablesAreReplaced()
    {
        string readme = Path.Combine(_dir, "README.md");
        File.WriteAllText(readme, $"# Benchmark\n{BenchCommand.ReadmeBegin}\nold\n{BenchCommand.ReadmeEnd}\nKept.\n");
        string outDir = Path.Combine(_dir, "out");
        var (code, output, error) = RunCli("bench", "--data", TestData.MnistDirectory, "--out", outDir, "--configs", "fast", "--seeds", "3,5",
            "--epochs", "1", "--max-train-rows", "1000", "--eval", "validation", "--holdout", "300", "--threads", "1", "--readme", readme);
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "bench.json")));
        var config = json.RootElement.GetProperty("configurations")[0];
        Assert.Equal("fast", config.GetProperty("name").GetString());
        Assert.Equal(new[] { 3, 5 }, config.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt32()));
        Assert.StartsWith("validation (last 300 training images", config.GetProperty("evaluation").GetString());
        var runs = config.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(new[] { ("library", 3), ("bare-torchsharp", 3), ("library", 5), ("bare-torchsharp", 5) },
            runs.Select(r => (r.GetProperty("kind").GetString()!, r.GetProperty("seed").GetInt32())));
        Assert.All(runs, r =>
        {
            Assert.Equal(700, r.GetProperty("train_rows").GetInt32());
            Assert.Equal(300, r.GetProperty("evaluation_rows").GetInt32());
            Assert.InRange(r.GetProperty("accuracy").GetDouble(), 0.2, 1.0);
            Assert.True(r.GetProperty("train_seconds").GetDouble() > 0);
            // The library and the bare loop stop for the same checks (one per epoch here), outside their clocks.
            Assert.Equal(1, r.GetProperty("accuracy_per_epoch").GetArrayLength());
            Assert.Equal(r.GetProperty("accuracy").GetDouble(), r.GetProperty("accuracy_per_epoch")[0].GetDouble(), 9);
            Assert.True(r.GetProperty("check_seconds").GetDouble() > 0);
        });
        var library = runs.Where(r => r.GetProperty("kind").GetString() == "library").ToList();
        Assert.All(library, r =>
        {
            // Training time counts the preparation and the loop; the checks are outside.
            double train = r.GetProperty("train_seconds").GetDouble(), preparation = r.GetProperty("preparation_seconds").GetDouble(), loop = r.GetProperty("loop_seconds").GetDouble();
            Assert.True(preparation > 0 && train >= preparation + loop - 1e-6, $"train {train}, preparation {preparation}, loop {loop}");
            Assert.True(r.GetProperty("check_seconds").GetDouble() > 0);
            Assert.Equal(1, r.GetProperty("accuracy_per_epoch").GetArrayLength());
            Assert.True(r.GetProperty("scoring").GetProperty("eight_callers_rows_per_second").GetDouble() > 0);
            Assert.InRange(r.GetProperty("tta_accuracy").GetDouble(), 0.2, 1.0); // chance is 0.1
        });
        // Two seeds train different networks.
        Assert.NotEqual(library[0].GetProperty("accuracy_per_epoch")[0].GetDouble(), library[1].GetProperty("accuracy_per_epoch")[0].GetDouble());
        var perSeed = config.GetProperty("accuracy").GetProperty("per_seed").EnumerateArray().Select(a => a.GetDouble()).ToList();
        Assert.Equal(library.Select(r => r.GetProperty("accuracy").GetDouble()), perSeed);

        string table = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        Assert.Contains("| config | seeds | val acc mean [min-max] | val acc per seed |", table);
        Assert.Matches(@"\| fast \| 3,5 \| \d+\.\d\d% \[\d+\.\d\d-\d+\.\d\d\] \| \d+\.\d\d / \d+\.\d\d \|", table);
        Assert.Contains("2 of 2 missed | miss / miss", table); // 1,000 images, 1 epoch: 99% is out of reach
        Assert.Contains("| config | train s (ours) | train s (bare) | overhead |", table);
        Assert.Contains("[fast, seed 5, bare TorchSharp]", File.ReadAllText(Path.Combine(outDir, "bench.txt")));
        string updated = File.ReadAllText(readme);
        Assert.Contains(table.TrimEnd(), updated);
        Assert.DoesNotContain("\nold\n", updated);
        Assert.EndsWith($"{BenchCommand.ReadmeEnd}\nKept.\n", updated);
    }

    [Fact]
    public void ThePreviousDefaultRecipeIsItsOwnConfigurationAndChecksCanBeLimitedToSomeConfigurations()
    {
        string outDir = Path.Combine(_dir, "baseline");
        var (code, output, error) = RunCli("bench", "--data", TestData.MnistDirectory, "--out", outDir, "--configs", "fast,fast-0.1", "--seeds", "1",
            "--epochs", "1", "--max-train-rows", "600", "--max-eval-rows", "200", "--eval", "validation", "--holdout", "200", "--threads", "1",
            "--no-bare", "--check-every", "2", "--check-configs", "fast");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");

        string table = File.ReadAllText(Path.Combine(outDir, "bench.md"));
        var descriptions = table.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).ToList();
        string fast = Assert.Single(descriptions, l => l.StartsWith("- fast: ", StringComparison.Ordinal));
        string previous = Assert.Single(descriptions, l => l.StartsWith("- fast-0.1: ", StringComparison.Ordinal));
        Assert.Contains("adamw lr 0.03, onecycle schedule, device cpu", fast);
        Assert.EndsWith("accuracy checked every 2 batches", fast.TrimEnd());
        Assert.Contains("adamw lr 0.02, onecycle schedule, device cpu", previous);
        Assert.DoesNotContain("checked every", previous);
        // 400 images cannot reach 99%: the ratio line says why there is no ratio instead of inventing one.
        Assert.Contains("99% sooner: no ratio, fast 1 of 1 missed and fast-0.1 1 of 1 missed", table);

        var (refused, _, message) = RunCli("bench", "--data", TestData.MnistDirectory, "--out", outDir, "--check-configs", "fast");
        Assert.Equal(2, refused);
        Assert.Contains("--check-configs: give --check-every N too.", message);
    }

    private static (int Code, string Output, string Error) RunCli(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "MlNetMnist.Cli")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
