using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MlNetMnist.Cli.Benchmark;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>bench --data DIR --json FILE [--runs N] [--configs a,b,...]</c>: trains and evaluates each preset
/// on full MNIST, each run in a fresh process, and prints and writes the medians and spread.
/// </summary>
internal sealed class BenchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly CliConsole _console;

    public BenchCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("bench", "Benchmark the presets on full MNIST: training time, time to 99%, accuracy, scoring rates, latency and peak memory (median of --runs runs, each in its own process).");
        foreach (var option in new Option[] { Data, Json, Runs, Configs, Threads, Epochs, CheckEvery }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files.");

    public Option<string> Json { get; } = new("--json") { Description = "Where to write the results as JSON.", HelpName = "FILE", Required = true };

    public Option<int> Runs { get; } = new("--runs") { Description = "Runs per configuration (default 3).", DefaultValueFactory = _ => 3, HelpName = "N" };

    public Option<string> Configs { get; } = new("--configs")
    {
        Description = $"Comma-separated presets to run (default {string.Join(",", TorchCnnPresets.Names)}).",
        DefaultValueFactory = _ => string.Join(",", TorchCnnPresets.Names),
        HelpName = "LIST",
    };

    public Option<int?> Threads { get; } = new("--threads") { Description = "TorchSharp threads, and ONNX Runtime threads for the loaded model (default: all cores).", HelpName = "N" };

    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Override every preset's epochs (for quick trials; the README figures use the presets' own).", HelpName = "N" };

    public Option<int?> CheckEvery { get; } = new("--check-every")
    {
        Description = "Also check the test accuracy every N training batches, for a finer time to 99% (default: after each epoch only).",
        HelpName = "N",
    };

    private int Execute(ParseResult parseResult)
    {
        string data = DataFolder.RequireExisting(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        string jsonPath = CommonOptions.RequirePath(parseResult.GetValue(Json), "--json");
        int runs = CommonOptions.RequirePositive(parseResult.GetValue(Runs), "--runs")!.Value;
        var configs = parseResult.GetValue(Configs)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var config in configs)
            if (!TorchCnnPresets.Names.Contains(config))
                throw new UsageException($"--configs: unknown preset '{config}'; expected some of {string.Join(", ", TorchCnnPresets.Names)}.");

        var settings = new BenchSettings(
            CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads"),
            CommonOptions.RequirePositive(parseResult.GetValue(Epochs), "--epochs"),
            CommonOptions.RequirePositive(parseResult.GetValue(CheckEvery), "--check-every"));
        var output = _console.Out;
        var machine = MachineDescription.Read();
        output.WriteLine($"Machine: {machine}");
        var summaries = new List<BenchSummary>();
        foreach (var config in configs)
        {
            var results = new List<BenchRun>();
            for (int run = 1; run <= runs; run++)
            {
                output.WriteLine($"[{config} {run}/{runs}]");
                results.Add(RunChild(data, config, settings));
            }
            string description = TrainingOptions.Describe(settings.Apply(TorchCnnPresets.Get(config)));
            if (settings.CheckEvery is int every) description += string.Format(CultureInfo.InvariantCulture, ", test accuracy checked every {0} batches", every);
            summaries.Add(BenchSummary.Of(config, description, results));
        }

        output.WriteLine();
        BenchTable.Write(output, summaries, runs);
        var document = new { machine = machine.ToString(), date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture), configurations = summaries };
        AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Indented));
        output.WriteLine($"Results written to {Path.GetFullPath(jsonPath)}");
        return CliConsole.Success;
    }

    /// <summary>Runs one configuration in a child process (same executable, hidden bench-run command).</summary>
    private BenchRun RunChild(string data, string config, BenchSettings settings)
    {
        string result = Path.Combine(Path.GetTempPath(), $"mlnetmnist-bench-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        string entry = Assembly.GetEntryAssembly()!.Location;
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(entry);
        foreach (var a in new[] { "bench-run", "--data", data, "--config", config, "--result", result }) start.ArgumentList.Add(a);
        foreach (var a in settings.Arguments()) start.ArgumentList.Add(a);
        var live = _console.NewLiveProgress();
        if (live.Enabled) start.ArgumentList.Add("--live-progress");
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not { } text) return;
            if (text.StartsWith(LiveProgress.ChildLinePrefix, StringComparison.Ordinal)) live.Update(text[LiveProgress.ChildLinePrefix.Length..]);
            else live.WriteLine(text);
        };
        process.BeginOutputReadLine();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        live.Clear();
        try
        {
            if (process.ExitCode != 0 || !File.Exists(result))
                throw new InvalidOperationException($"benchmark run of '{config}' failed (exit code {process.ExitCode}): {errors.Trim()}");
            return JsonSerializer.Deserialize<BenchRun>(File.ReadAllText(result))!;
        }
        finally
        {
            File.Delete(result);
        }
    }
}
