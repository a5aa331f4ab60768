using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlNetMnist.Cli.Benchmark;
using MlNetMnist.Cli.Robustness;
using MlNetMnist.Data;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>numbers --data DIR --model model.zip [--source test|validation] [--count N] [--seed N] [--digit-count] [--images DIR] [--json FILE] [--errors N]</c>:
/// composes numbers of 3-8 MNIST digits (separated, and with touching digits), reads them with the
/// service's number reader (and, with <c>--digit-count</c>, again with each number's digit count given)
/// and prints sequence and per-digit accuracy. The digits come from the test
/// set, or (<c>--source validation</c>, for choosing the reader's settings without looking at the test
/// set) from the last 10,000 training images, the project's validation split.
/// </summary>
internal sealed class NumbersCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly CliConsole _console;

    public NumbersCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("numbers", "Accuracy of reading whole numbers: rows of 3-8 MNIST digits with random spacing, size and baseline jitter (separated, and with touching digits).");
        foreach (var option in new Option[] { Data, Model, Source, Count, Seed, DigitCount, Images, Json, Threshold, Threads, Errors }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files (the test digits are used).");

    public Option<string> Model { get; } = CommonOptions.Model("The model file (model.zip) that reads single digits.");

    public Option<string> Source { get; } = CommonOptions.DigitSource();

    public Option<int> Errors { get; } = new("--errors") { Description = "Also print the first N numbers of each kind read wrongly (truth, reading, probabilities; default 0).", DefaultValueFactory = _ => 0, HelpName = "N" };

    public Option<int> Count { get; } = new("--count") { Description = "Numbers of each kind (default 500).", DefaultValueFactory = _ => 500, HelpName = "N" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the composition (default 1).", DefaultValueFactory = _ => 1, HelpName = "N" };

    public Option<bool> DigitCount { get; } = new("--digit-count") { Description = "Also read every number with its digit count given (ReadNumber's digitCount, read-number --digits) and report those readings as rows of their own." };

    public Option<string?> Images { get; } = new("--images") { Description = "Where to write the number images (kept; default: a temporary folder, deleted afterwards).", HelpName = "DIR" };

    public Option<string?> Json { get; } = new("--json") { Description = "Where to write the figures as JSON.", HelpName = "FILE" };

    public Option<float> Threshold { get; } = new("--threshold") { Description = "Confidence threshold of 'needs review' (default 0.8).", DefaultValueFactory = _ => 0.8f, HelpName = "P" };

    public Option<int?> Threads { get; } = CommonOptions.OnnxThreads();

    private int Execute(ParseResult parseResult)
    {
        string data = DataFolder.RequireExisting(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        int count = CommonOptions.RequirePositive(parseResult.GetValue(Count), "--count")!.Value;
        int seed = parseResult.GetValue(Seed);
        string? imagesDir = CommonOptions.OptionalPath(parseResult.GetValue(Images), "--images");
        string? jsonPath = CommonOptions.OptionalPath(parseResult.GetValue(Json), "--json");
        string source = parseResult.GetValue(Source) ?? "test";
        int errors = Math.Max(0, parseResult.GetValue(Errors));
        bool countGiven = parseResult.GetValue(DigitCount);
        var digits = CommonOptions.LoadDigitSource(data, source);
        string directory = imagesDir is null ? Path.Combine(Path.GetTempPath(), $"mlnetmnist-numbers-{Guid.NewGuid():N}") : Path.GetFullPath(imagesDir);
        var machine = MachineDescription.Read();
        try
        {
            using var service = DigitPredictionService.Load(modelPath, new DigitPredictionServiceOptions
            {
                ConfidenceThreshold = parseResult.GetValue(Threshold),
                MaximumRetainedEngines = 1,
                Threads = CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads"),
            });
            _console.Out.WriteLine($"Model: {Path.GetFullPath(modelPath)} (images prepared {(service.PreparesWithModel ? "by the model's own saved chain" : "by DigitImagePreprocessor")})");
            _console.Out.WriteLine($"Machine: {machine}");
            _console.Out.WriteLine(source == "validation"
                ? $"Digits: validation split (the last {BenchSettings.DefaultHoldout:N0} MNIST training images)"
                : "Digits: MNIST test set");
            var results = new List<NumberResult>();
            foreach (bool touching in new[] { false, true })
            {
                string kind = touching ? "touching" : "separated";
                string folder = Path.Combine(directory, kind);
                Directory.CreateDirectory(folder);
                var random = new Random(unchecked(seed * 486187739 + RobustnessSuite.StableHash(kind)));
                var tally = new NumberTally(kind);
                var countedTally = new NumberTally($"{kind}, count given");
                int shown = 0, shownCounted = 0;
                for (int i = 0; i < count; i++)
                {
                    var number = NumberComposer.Compose(digits, random, touching);
                    string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{i:D4}-{number.Digits}.png"));
                    File.WriteAllBytes(path, number.Image.Encode());
                    var reading = service.ReadNumberFile(path);
                    tally.Add(number.Digits, reading);
                    if (reading.Text != number.Digits && shown++ < errors) WriteError(kind, i, number.Digits, reading);
                    if (!countGiven) continue;
                    var counted = service.ReadNumberFile(path, number.Digits.Length);
                    countedTally.Add(number.Digits, counted);
                    if (counted.Text != number.Digits && shownCounted++ < errors) WriteError($"{kind}, count given", i, number.Digits, counted);
                }
                results.Add(tally.Result());
                if (countGiven) results.Add(countedTally.Result());
            }
            WriteTable(results);
            if (jsonPath is not null)
            {
                var document = new { machine = machine.ToString(), date = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture), model = Path.GetFullPath(modelPath), source, count, seed, digitCountGiven = countGiven, results };
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

    private void WriteError(string kind, int index, string truth, NumberReading reading) =>
        _console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind} {index:D4}: {truth} read as {reading.Text}{(reading.NeedsReview ? " (needs review)" : "")}: {string.Join(" ", reading.Digits.Select(d => $"{d.Label}{(d.Split ? "*" : "")}@{d.Box.X}+{d.Box.Width}x{d.Box.Height}:{d.Probability:0.00}"))}"));

    private void WriteTable(IReadOnlyList<NumberResult> results)
    {
        var o = _console.Out;
        o.WriteLine();
        o.WriteLine("| numbers | count | digits | sequence accuracy | digit accuracy | right digit count | needs review | accuracy when not flagged |");
        o.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Kind} | {r.Numbers:N0} | {r.Digits:N0} | {r.SequenceAccuracy:P2} | {r.DigitAccuracy:P2} | {r.RightCount:P2} | {r.NeedsReview:P2} | {(r.AcceptedAccuracy is double a ? a.ToString("P2", CultureInfo.InvariantCulture) : "-")} |"));
        o.WriteLine("digit accuracy: 1 - (edit distance between read and true digits) / (true digits); right digit count: numbers segmented into as many digits as they have.");
    }

    /// <summary>The figures of one kind of number.</summary>
    internal sealed record NumberResult(string Kind, int Numbers, int Digits, double SequenceAccuracy, double DigitAccuracy, double RightCount, double NeedsReview, double? AcceptedAccuracy);

    private sealed class NumberTally(string kind)
    {
        private int _numbers, _digits, _exact, _edits, _rightCount, _flagged, _accepted, _acceptedExact;

        public void Add(string truth, NumberReading reading)
        {
            _numbers++;
            _digits += truth.Length;
            bool exact = reading.Text == truth;
            if (exact) _exact++;
            _edits += EditDistance(reading.Text, truth);
            if (reading.Digits.Count == truth.Length) _rightCount++;
            if (reading.NeedsReview)
            {
                _flagged++;
            }
            else
            {
                _accepted++;
                if (exact) _acceptedExact++;
            }
        }

        public NumberResult Result() => new(kind, _numbers, _digits, (double)_exact / _numbers, 1 - (double)_edits / _digits,
            (double)_rightCount / _numbers, (double)_flagged / _numbers, _accepted == 0 ? null : (double)_acceptedExact / _accepted);

        private static int EditDistance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
