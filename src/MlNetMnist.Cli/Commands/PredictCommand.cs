using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>predict --model model.zip [--json] [--no-centre] [--top N] [--threshold P] FILE|DIR...</c>: one line
/// (or JSON object) per image with the predicted label, its probability, the top classes and the status
/// (<c>ok</c>, <c>needs review</c>, or <c>empty</c> with no label for an image with no ink). A file that
/// cannot be read (not an image, truncated, corrupt) is reported and the others are still predicted; the
/// exit code is then 1.
/// </summary>
internal sealed class PredictCommand
{
    private const int ChunkSize = 512;
    private readonly CliConsole _console;

    public PredictCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("predict", "Predict the label of image files (PNG, JPEG, BMP, ...) with a saved model: one line per image with the label, its probability and the top classes.")
        {
            Model, Json, Centre, NoCentre, Top, Threshold, Threads, Paths,
        };
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Model { get; } = CommonOptions.Model("The model file written by 'train' (or by mlContext.Model.Save), with image or pixel input.");

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document (an array with an object per image, failures included) instead of text lines.",
    };

    public Option<bool> Centre { get; } = new("--centre", "--center")
    {
        Description = "Centre each digit the way MNIST digits are (bounding box scaled to 20x20, centred by mass in 28x28): the default, as in the service and in models saved with image input.",
    };

    public Option<bool> NoCentre { get; } = new("--no-centre", "--no-center")
    {
        Description = "Score the images as they are (resized to the model's input only): for images that are already MNIST-style digits.",
    };

    public Option<int> Top { get; } = new("--top")
    {
        Description = "How many of the most probable classes to list per image (default 3).",
        HelpName = "N",
        DefaultValueFactory = _ => 3,
    };

    public Option<float?> Threshold { get; } = new("--threshold")
    {
        Description = "Mark predictions whose probability is below P (0 to 1) as 'needs review' (a calibrated model also marks inputs that do not look like digits; images with no ink are 'empty').",
        HelpName = "P",
    };

    public Argument<string[]> Paths { get; } = new("paths")
    {
        Description = "Image files, or folders searched (with their subfolders) for .png, .jpg, .jpeg, .bmp, .gif and .webp files.",
        HelpName = "FILE|DIR",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<int?> Threads { get; } = CommonOptions.OnnxThreads();

    private int Execute(ParseResult parseResult)
    {
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        int top = parseResult.GetValue(Top);
        if (top < 1) throw new UsageException($"--top is {top}; expected at least 1.");
        float? threshold = parseResult.GetValue(Threshold);
        if (threshold is < 0 or > 1) throw new UsageException($"--threshold is {threshold?.ToString(CultureInfo.InvariantCulture)}; expected a probability from 0 to 1.");
        bool json = parseResult.GetValue(Json);
        if (parseResult.GetValue(Centre) && parseResult.GetValue(NoCentre)) throw new UsageException("give --centre or --no-centre, not both.");

        // The service reads the model's own column names and image shape (grayscale or RGB) from model.zip.
        var options = new DigitPredictionServiceOptions
        {
            ConfidenceThreshold = threshold ?? 0,
            TopCount = top,
            MaximumRetainedEngines = 1,
            Threads = CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads"),
            Preprocessing = new DigitPreprocessingOptions { CentreByMass = !parseResult.GetValue(NoCentre) },
        };
        using (var service = DigitPredictionService.Load(modelPath, options))
        {
            var results = new List<ImageFilePrediction>();
            var writer = new PredictResultWriter(_console, json);
            foreach (var result in service.PredictImageFiles(parseResult.GetValue(Paths) ?? [], ChunkSize))
            {
                results.Add(result);
                writer.Write(result);
            }
            writer.Finish();

            int failed = results.Count(r => r.Error is not null);
            if (failed > 0)
            {
                _console.Error.WriteLine($"error: {failed} of {results.Count} file{(results.Count == 1 ? "" : "s")} could not be predicted.");
                return CliConsole.Failure;
            }
            if (results.Count == 0)
            {
                _console.Error.WriteLine("error: no image files found.");
                return CliConsole.Failure;
            }
            return CliConsole.Success;
        }
    }
}
