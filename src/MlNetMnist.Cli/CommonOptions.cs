using System.CommandLine;
using MlNetMnist.Cli.Benchmark;
using MlNetMnist.Data;

namespace MlNetMnist.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    /// <summary><c>--data DIR</c>: the folder with the four MNIST IDX files (gzipped or raw).</summary>
    public static Option<string> Data(string description) => new("--data", "-d")
    {
        Description = description,
        HelpName = "DIR",
        Required = true,
    };

    /// <summary><c>--model FILE</c>: the ML.NET model file.</summary>
    public static Option<string> Model(string description) => new("--model", "-m")
    {
        Description = description,
        HelpName = "FILE",
        Required = true,
    };

    /// <summary><c>--threads N</c>: ONNX Runtime threads of the context that loads a model.</summary>
    public static Option<int?> OnnxThreads() => new("--threads")
    {
        Description = "ONNX Runtime threads for scoring the loaded model (default: all physical cores).",
        HelpName = "N",
    };

    /// <summary><c>--max-test-rows N</c>.</summary>
    public static Option<int?> MaxTestRows() => new("--max-test-rows")
    {
        Description = "Evaluate on the first N test images only (default: all 10,000).",
        HelpName = "N",
    };

    /// <summary><c>--metrics-json FILE</c>: where to write the metrics report.</summary>
    public static Option<string?> MetricsJson() => new("--metrics-json")
    {
        Description = "Also write the test metrics (accuracies, log loss, per-class precision/recall/F1, confusion matrix) as JSON to FILE.",
        HelpName = "FILE",
    };

    /// <summary><c>--mirror URL</c> (repeatable): MNIST mirrors to download from instead of the defaults.</summary>
    public static Option<string[]> Mirrors() => new("--mirror")
    {
        Description = "Base URL serving the MNIST .gz files, tried in order; repeat for several (default: "
                      + string.Join(", ", MlNetMnist.Data.MnistDownloader.DefaultMirrors) + ").",
        HelpName = "URL",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary><c>--source test|validation</c>: which MNIST digits a measurement (robustness, numbers) is made of.</summary>
    public static Option<string> DigitSource() => new("--source")
    {
        Description = $"Which digits the images are made of: test (the MNIST test set; for reporting) or validation (the last {BenchSettings.DefaultHoldout:N0} training images, which a model trained with --max-train-rows {60_000 - BenchSettings.DefaultHoldout} has not seen; for choosing settings). Default test.",
        DefaultValueFactory = _ => "test",
        HelpName = "test|validation",
    };

    /// <summary>The digits <c>--source</c> names, read from the MNIST folder <paramref name="data"/>.</summary>
    /// <exception cref="UsageException">Another source, or too few training images for the validation split.</exception>
    public static MnistSet LoadDigitSource(string data, string? source) => source switch
    {
        null or "test" => MnistData.LoadSet(data, MnistSplit.Test),
        "validation" => BenchData.ValidationSplit(MnistData.LoadSet(data, MnistSplit.Train), "--source"),
        var other => throw new UsageException($"--source: '{other}'; expected test or validation."),
    };

    /// <summary>Throws a <see cref="UsageException"/> unless <paramref name="value"/> is null or at least 1.</summary>
    public static int? RequirePositive(int? value, string optionName)
    {
        if (value is < 1) throw new UsageException($"{optionName} is {value}; expected at least 1.");
        return value;
    }

    /// <summary>Throws a <see cref="UsageException"/> when <paramref name="value"/> is empty or white space.</summary>
    public static string RequirePath(string? value, string optionName)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new UsageException($"{optionName} needs a path.");
        return value;
    }

    /// <summary>Throws a <see cref="UsageException"/> when an optional path was given but is empty.</summary>
    public static string? OptionalPath(string? value, string optionName) =>
        value is null ? null : RequirePath(value, optionName);
}
