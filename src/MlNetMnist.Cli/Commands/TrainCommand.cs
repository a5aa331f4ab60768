using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>train --data DIR --model model.zip [training options] [--metrics-json FILE] [--onnx FILE]</c>:
/// MapValueToKey(Label) + TorchCnn + MapKeyToValue(PredictedLabel), evaluated on the test split and
/// saved atomically.
/// </summary>
internal sealed class TrainCommand
{
    private readonly CliConsole _console;

    public TrainCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("train", "Train a TorchSharp network on MNIST through an ML.NET pipeline, evaluate it on the test split and save it.")
        {
            Data, Model,
        };
        foreach (var option in Training.All) Command.Options.Add(option);
        foreach (var option in new Option[] { MaxTrainRows, MaxTestRows, MetricsJson, Onnx, Predictions, NoDownload, Mirrors }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files; those missing are downloaded into it (see --no-download).");

    public Option<string> Model { get; } = CommonOptions.Model("Where to save the trained model (ML.NET .zip). Written atomically: a failed run leaves an existing file untouched.");

    public TrainingOptions Training { get; } = new();

    public Option<int?> MaxTrainRows { get; } = new("--max-train-rows")
    {
        Description = "Train on the first N training images only (default: all 60,000).",
        HelpName = "N",
    };

    public Option<int?> MaxTestRows { get; } = CommonOptions.MaxTestRows();

    public Option<string?> MetricsJson { get; } = CommonOptions.MetricsJson();

    public Option<string?> Onnx { get; } = new("--onnx")
    {
        Description = "Also export the network as a standalone ONNX model (input [N, 784] raw pixels, outputs Score and PredictedIndex) to FILE.",
        HelpName = "FILE",
    };

    public Option<string?> Predictions { get; } = new("--predictions")
    {
        Description = "Also write the trained model's test-set predictions as CSV: index, label, predicted label, then the class probabilities in the order of the Score column.",
        HelpName = "FILE",
    };

    public Option<bool> NoDownload { get; } = new("--no-download")
    {
        Description = "Fail instead of downloading when MNIST files are missing from --data.",
    };

    public Option<string[]> Mirrors { get; } = CommonOptions.Mirrors();

    private int Execute(ParseResult parseResult)
    {
        var output = _console.Out;
        bool verbose = parseResult.GetValue(_console.Verbose);

        // Everything that can be checked without data is checked first, so that a bad command line fails fast.
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        string dataArg = CommonOptions.RequirePath(parseResult.GetValue(Data), "--data");
        int? maxTrainRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTrainRows), "--max-train-rows");
        int? maxTestRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTestRows), "--max-test-rows");
        string? metricsJson = CommonOptions.OptionalPath(parseResult.GetValue(MetricsJson), "--metrics-json");
        string? onnxPath = CommonOptions.OptionalPath(parseResult.GetValue(Onnx), "--onnx");
        string? predictionsPath = CommonOptions.OptionalPath(parseResult.GetValue(Predictions), "--predictions");
        if (Directory.Exists(modelPath)) throw new UsageException($"--model {modelPath} is a folder; expected a file path such as model.zip.");
        var options = Training.ToTorchCnnOptions(parseResult);
        options.Progress = progress => output.WriteLine(progress.ToString());

        string dataDirectory;
        if (parseResult.GetValue(NoDownload) || MnistDownloader.HasAllFiles(dataArg))
        {
            dataDirectory = DataFolder.RequireExisting(dataArg);
        }
        else
        {
            output.WriteLine($"MNIST files missing from {Path.GetFullPath(dataArg)}; downloading:");
            dataDirectory = DataFolder.Ensure(dataArg, parseResult.GetValue(Mirrors), output);
        }

        var ml = new MLContext(seed: options.Seed);
        var train = MnistData.Load(ml, dataDirectory, MnistSplit.Train, maxTrainRows);
        var test = TestSetEvaluation.LoadTest(ml, dataDirectory, maxTestRows);
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Data: {0} ({1:N0} training images, {2:N0} test images)",
            dataDirectory, train.GetRowCount() ?? 0, test.GetRowCount() ?? 0));
        output.WriteLine($"Training: {TrainingOptions.Describe(options)}");

        // Keys sorted by value, so the classes (and the confusion table) are in digit order.
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var stopwatch = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        try
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Training time: {0:F1}s", stopwatch.Elapsed.TotalSeconds));

            ModelFile.Save(ml, model, train.Schema, modelPath);
            output.WriteLine($"Model saved to {Path.GetFullPath(modelPath)}");

            if (onnxPath is not null)
            {
                ModelChain.FindClassifier(model).ExportOnnx(onnxPath);
                output.WriteLine($"ONNX model written to {Path.GetFullPath(onnxPath)}");
            }

            if (predictionsPath is not null)
            {
                PredictionsCsv.Write(ml, model.Transform(test), predictionsPath);
                output.WriteLine($"Test predictions written to {Path.GetFullPath(predictionsPath)}");
            }

            TestSetEvaluation.Run(ml, model, test, metricsJson, _console, verbose);
        }
        finally
        {
            foreach (var disposable in ModelChain.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
        }
        return CliConsole.Success;
    }
}
