using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>read-number --model model.zip [--digits N] [--json] [--threshold P] FILE...</c>: reads the row of handwritten
/// digits in each image (exactly N digits when given); prints the digits, the status and each digit's probability and box.
/// </summary>
internal sealed class ReadNumberCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly CliConsole _console;

    public ReadNumberCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("read-number", "Read a row of handwritten digits (an amount, a postal code) from each image: the digits, 'needs review' when any is uncertain, and each digit's probability and box.")
        {
            Model, Digits, Json, Threshold, Threads, Paths,
        };
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Model { get; } = CommonOptions.Model("The model file (model.zip) that reads single digits, with image or pixel input.");

    public Option<int?> Digits { get; } = new("--digits")
    {
        Description = "How many digits each image holds, when known (a postal code, a fixed-length field): reads touching digits far better. An image that cannot be read as N digits gets the free reading, marked 'needs review'.",
        HelpName = "N",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document (an array with an object per image)." };

    public Option<float> Threshold { get; } = new("--threshold")
    {
        Description = "A digit whose probability is below P (0 to 1) needs review, and so does its number (default 0.8).",
        HelpName = "P",
        DefaultValueFactory = _ => 0.8f,
    };

    public Option<int?> Threads { get; } = CommonOptions.OnnxThreads();

    public Argument<string[]> Paths { get; } = new("paths") { Description = "Image files.", HelpName = "FILE", Arity = ArgumentArity.OneOrMore };

    private int Execute(ParseResult parseResult)
    {
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        float threshold = parseResult.GetValue(Threshold);
        if (threshold is < 0 or > 1) throw new UsageException($"--threshold is {threshold.ToString(CultureInfo.InvariantCulture)}; expected a probability from 0 to 1.");
        var options = new DigitPredictionServiceOptions
        {
            ConfidenceThreshold = threshold,
            MaximumRetainedEngines = 1,
            Threads = CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads"),
        };
        int? digits = CommonOptions.RequirePositive(parseResult.GetValue(Digits), "--digits");
        using var service = DigitPredictionService.Load(modelPath, options);
        bool json = parseResult.GetValue(Json);
        var documents = new List<object>();
        int failed = 0;
        foreach (string path in parseResult.GetValue(Paths) ?? [])
        {
            try
            {
                var reading = service.ReadNumberFile(path, digits);
                if (json) documents.Add(ToJson(path, reading));
                else Write(path, reading);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
            {
                failed++;
                if (json) documents.Add(new { path, error = e.Message });
                else _console.Error.WriteLine($"error: {e.Message}");
            }
        }
        if (json) _console.Out.WriteLine(JsonSerializer.Serialize(documents, Indented));
        return failed > 0 ? CliConsole.Failure : CliConsole.Success;
    }

    private void Write(string path, NumberReading reading)
    {
        _console.Out.WriteLine($"{path}\t{(reading.Text.Length == 0 ? "-" : reading.Text)}\t{reading.Status}");
        foreach (var d in reading.Digits)
            _console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {d.Label}  {d.Probability:F4}  box {d.Box.X},{d.Box.Y} {d.Box.Width}x{d.Box.Height}{(d.Split ? "  (cut from touching digits)" : "")}{(d.NeedsReview ? "  needs review" : "")}"));
    }

    internal static object ToJson(string path, NumberReading reading) => new
    {
        path,
        text = reading.Text,
        status = reading.Status,
        digits = reading.Digits.Select(d => new
        {
            label = d.Label,
            probability = d.Probability,
            box = new { x = d.Box.X, y = d.Box.Y, width = d.Box.Width, height = d.Box.Height },
            split = d.Split,
            status = d.NeedsReview ? DigitPrediction.NeedsReviewStatus : DigitPrediction.AcceptedStatus,
        }),
    };
}
