using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlNetMnist.Cli.Benchmark;
using MlNetMnist.Cli.Robustness;
using MlNetMnist.Data;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>robustness --data DIR --model model.zip --json FILE [--source test|validation] [--images DIR] [--count N] [--seed N] [--variants a,b]</c>:
/// writes the robustness suite (MNIST test digits, or with <c>--source validation</c> held-out training digits,
/// made into real-world-looking image files) and prints the model's accuracy on each variant;
/// <c>--write-only</c> writes the files without a model.
/// </summary>
internal sealed class RobustnessCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly CliConsole _console;

    public RobustnessCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("robustness", "Accuracy of a saved model on MNIST test digits made into real-world images (off-centre, grey and textured paper, both polarities, JPEG, scaled, thick/thin, rotated, noisy, colour), per variant.");
        foreach (var option in new Option[] { Data, Model, Json, Source, Images, Count, Seed, Variants, WriteOnly, Threads }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files (the test digits are used).");

    public Option<string?> Model { get; } = new("--model", "-m") { Description = "The model file (ML.NET .zip). A model that takes image paths is scored by ML.NET alone.", HelpName = "FILE" };

    public Option<string?> Json { get; } = new("--json") { Description = "Where to write the figures (per variant, with the machine) as JSON.", HelpName = "FILE" };

    public Option<string> Source { get; } = CommonOptions.DigitSource();

    public Option<string?> Images { get; } = new("--images") { Description = "Where to write the image files (kept); default: a temporary folder, deleted afterwards.", HelpName = "DIR" };

    public Option<int> Count { get; } = new("--count") { Description = "Test digits per variant (the first N; default 1000).", DefaultValueFactory = _ => 1000, HelpName = "N" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the random placement, colours and noise (default 1).", DefaultValueFactory = _ => 1, HelpName = "N" };

    public Option<string?> Variants { get; } = new("--variants") { Description = $"Comma-separated variants (default all: {string.Join(",", RobustnessVariant.All.Select(v => v.Name))}).", HelpName = "LIST" };

    public Option<bool> WriteOnly { get; } = new("--write-only") { Description = "Only write the image files (needs --images); no model is scored." };

    public Option<int?> Threads { get; } = CommonOptions.OnnxThreads();

    private int Execute(ParseResult parseResult)
    {
        string data = DataFolder.RequireExisting(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        bool writeOnly = parseResult.GetValue(WriteOnly);
        string? modelPath = CommonOptions.OptionalPath(parseResult.GetValue(Model), "--model");
        string? jsonPath = CommonOptions.OptionalPath(parseResult.GetValue(Json), "--json");
        string? imagesDir = CommonOptions.OptionalPath(parseResult.GetValue(Images), "--images");
        if (writeOnly && imagesDir is null) throw new UsageException("--write-only needs --images DIR.");
        if (!writeOnly && modelPath is null) throw new UsageException("give --model FILE (or --write-only --images DIR).");
        int count = CommonOptions.RequirePositive(parseResult.GetValue(Count), "--count")!.Value;
        int seed = parseResult.GetValue(Seed);
        var variants = Select(parseResult.GetValue(Variants));
        int? threads = CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads");

        string source = parseResult.GetValue(Source) ?? "test";
        var test = CommonOptions.LoadDigitSource(data, source);
        string directory = imagesDir is null ? Path.Combine(Path.GetTempPath(), $"mlnetmnist-robustness-{Guid.NewGuid():N}") : Path.GetFullPath(imagesDir);
        try
        {
            var images = RobustnessSuite.Write(test, variants, count, seed, directory);
            _console.Out.WriteLine($"Images: {images.Count:N0} ({variants.Count} variants x {Math.Min(count, test.Count):N0} {(source == "test" ? "test" : "held-out training")} digits, seed {seed}) in {directory}");
            if (writeOnly) return CliConsole.Success;

            var machine = MachineDescription.Read();
            using var scorer = new SuiteScorer(modelPath!, threads);
            _console.Out.WriteLine($"Model: {Path.GetFullPath(modelPath!)}; {scorer.Description}");
            _console.Out.WriteLine($"Machine: {machine}");
            var results = new List<VariantResult>();
            foreach (var variant in variants)
            {
                var files = images.Where(i => i.Variant == variant.Name).ToList();
                var clock = Stopwatch.StartNew();
                var predicted = scorer.Predict(files.Select(f => f.Path).ToList());
                double seconds = clock.Elapsed.TotalSeconds;
                int correct = files.Zip(predicted).Count(p => p.First.Label.ToString(CultureInfo.InvariantCulture) == p.Second);
                results.Add(new VariantResult(variant.Name, variant.Description, files.Count, correct, (double)correct / files.Count, seconds));
            }
            WriteTable(results);
            if (jsonPath is not null)
            {
                var document = new
                {
                    machine = machine.ToString(),
                    date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
                    model = Path.GetFullPath(modelPath!),
                    scoring = scorer.Description,
                    source,
                    count,
                    seed,
                    variants = results,
                };
                AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(document, Indented));
                _console.Out.WriteLine($"Results written to {Path.GetFullPath(jsonPath)}");
            }
            return CliConsole.Success;
        }
        finally
        {
            if (imagesDir is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static List<RobustnessVariant> Select(string? names)
    {
        if (names is null) return RobustnessVariant.All.ToList();
        var selected = new List<RobustnessVariant>();
        foreach (string name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            selected.Add(RobustnessVariant.All.FirstOrDefault(v => v.Name == name)
                ?? throw new UsageException($"--variants: unknown variant '{name}'; expected some of {string.Join(", ", RobustnessVariant.All.Select(v => v.Name))}."));
        return selected;
    }

    private void WriteTable(IReadOnlyList<VariantResult> results)
    {
        var o = _console.Out;
        o.WriteLine();
        o.WriteLine("| variant | images | accuracy | what |");
        o.WriteLine("| --- | ---: | ---: | --- |");
        foreach (var r in results)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Variant} | {r.Images:N0} | {r.Accuracy:P2} | {r.Description} |"));
    }

    /// <summary>The figures of one variant.</summary>
    internal sealed record VariantResult(string Variant, string Description, int Images, int Correct, double Accuracy, double Seconds);
}
