using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>train --data DIR --model model.zip [training options] [--metrics-json FILE] [--onnx FILE] [--report DIR]</c>:
/// MapValueToKey(Label) + TorchCnn + MapKeyToValue(PredictedLabel), evaluated on the test split and
/// saved atomically; <c>--report</c> also writes the confusion-matrix report with the training curves.
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
        Data.Required = false; // --images DIR replaces it
        Command.Options.Add(Images);
        Command.Options.Add(ImageInput);
        Command.Options.Add(StopOnUnreadable);
        foreach (var option in Training.All) Command.Options.Add(option);
        foreach (var option in Checkpoints.All) Command.Options.Add(option);
        foreach (var option in new Option[] { Ensemble, MaxTrainRows, MaxTestRows, MetricsJson, Onnx, Predictions, Report, NoDownload, Mirrors }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files; those missing are downloaded into it (see --no-download).");

    public Option<string?> Images { get; } = new("--images")
    {
        Description = "Train on your own images instead of MNIST: a folder tree DIR/<label>/*.png|jpg (any number of classes, any label text). Every fifth image of each class is held out for the evaluation; the saved model takes image paths.",
        HelpName = "DIR",
    };

    public Option<bool> ImageInput { get; } = new("--image-input")
    {
        Description = "Save the MNIST model with the image-input chain in front, so it takes image paths (PNG, JPEG, ...) and prepares real-world images like MNIST digits inside model.zip (always so with --images).",
    };

    public Option<bool> StopOnUnreadable { get; } = new("--stop-on-unreadable")
    {
        Description = "With --images: stop when an image cannot be read (not an image, truncated or corrupt) instead of leaving it out with a warning.",
    };

    public Option<string> Model { get; } = CommonOptions.Model("Where to save the trained model (ML.NET .zip). Written atomically: a failed run leaves an existing file untouched.");

    public TrainingOptions Training { get; } = new();

    public TrainCheckpointOptions Checkpoints { get; } = new();

    public Option<int?> Ensemble { get; } = new("--ensemble")
    {
        Description = "Train K networks with the seeds --seed, --seed+1, ... and save them as ONE model whose scores are the mean of their class probabilities (one ONNX graph in model.zip; loads like any model).",
        HelpName = "K",
    };

    public Option<int?> MaxTrainRows { get; } = new("--max-train-rows")
    {
        Description = "Train on the first N training images only (default: all 60,000).",
        HelpName = "N",
    };

    public Option<int?> MaxTestRows { get; } = CommonOptions.MaxTestRows();

    public Option<string?> MetricsJson { get; } = CommonOptions.MetricsJson();

    public Option<string?> Onnx { get; } = new("--onnx")
    {
        Description = "Also export the network as a standalone ONNX model to FILE: input [N, 784] raw pixels, or, with --image-input (or --images of gray digits), [N, 4, 128, 128] alpha, red, green and blue planes (0-255) of the image fitted into 128x128 with transparent padding, centred like MNIST inside the graph; outputs Score and PredictedIndex.",
        HelpName = "FILE",
    };

    public Option<string?> Predictions { get; } = new("--predictions")
    {
        Description = "Also write the trained model's test-set predictions as CSV: index, label, predicted label, then the class probabilities in the order of the Score column.",
        HelpName = "FILE",
    };

    public Option<string?> Report { get; } = new("--report")
    {
        Description = "Also write the test-set report into DIR (created if needed): a self-contained HTML page with the confusion-matrix heatmap, per-class metrics, misclassified images and training curves, plus Markdown, JSON, CSV and PNG charts.",
        HelpName = "DIR",
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
        string? imagesArg = CommonOptions.OptionalPath(parseResult.GetValue(Images), "--images");
        ImageFolderTraining.CheckSource(parseResult.GetValue(Data), imagesArg, parseResult.GetValue(Predictions));
        string dataArg = imagesArg ?? CommonOptions.RequirePath(parseResult.GetValue(Data), "--data");
        int? maxTrainRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTrainRows), "--max-train-rows");
        int? maxTestRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTestRows), "--max-test-rows");
        string? metricsJson = CommonOptions.OptionalPath(parseResult.GetValue(MetricsJson), "--metrics-json");
        string? onnxPath = CommonOptions.OptionalPath(parseResult.GetValue(Onnx), "--onnx");
        string? predictionsPath = CommonOptions.OptionalPath(parseResult.GetValue(Predictions), "--predictions");
        string? reportDir = CommonOptions.OptionalPath(parseResult.GetValue(Report), "--report");
        int? ensemble = CommonOptions.RequirePositive(parseResult.GetValue(Ensemble), "--ensemble");
        if (reportDir is not null) ReportCommand.RequireFolderPath(reportDir, "--report");
        if (Directory.Exists(modelPath)) throw new UsageException($"--model {modelPath} is a folder; expected a file path such as model.zip.");
        var options = Training.ToTorchCnnOptions(parseResult);
        var live = _console.NewLiveProgress();
        options.Progress = progress =>
        {
            live.WriteLine(progress.ToString());
            // The trainer's warnings (pixels not 0-255, a run that has not learnt) come with the epoch reports.
            foreach (string warning in progress.Warnings) _console.Error.WriteLine($"warning: {warning}");
        };
        if (live.Enabled) options.BatchProgress = batch => live.Update(batch.ToString());
        using var checkpoint = Checkpoints.Apply(parseResult, options, modelPath, output);
        if (ensemble is not null)
        {
            // Ctrl+C still stops training cleanly, but an ensemble writes no checkpoint.
            if (parseResult.GetResult(Checkpoints.Checkpoint) is not null || parseResult.GetValue(Checkpoints.Resume))
                throw new UsageException("--ensemble cannot be combined with --checkpoint or --resume: an ensemble trains several networks and keeps no checkpoint; train and checkpoint networks one by one instead.");
            options.CheckpointPath = null;
        }

        string dataDirectory;
        if (imagesArg is not null)
        {
            dataDirectory = Path.GetFullPath(imagesArg);
        }
        else if (parseResult.GetValue(NoDownload) || MnistDownloader.HasAllFiles(dataArg))
        {
            dataDirectory = DataFolder.RequireExisting(dataArg);
        }
        else
        {
            output.WriteLine($"MNIST files missing from {Path.GetFullPath(dataArg)}; downloading:");
            dataDirectory = DataFolder.Ensure(dataArg, parseResult.GetValue(Mirrors), output, live);
        }

        var ml = new MLContext(seed: options.Seed);
        ml.SetOnnxThreads(options.Threads);
        var (train, test) = imagesArg is not null ? ImageFolderTraining.Load(ml, dataDirectory, maxTrainRows, maxTestRows, output, _console.Error,
                parseResult.GetValue(StopOnUnreadable) ? UnreadableImages.Stop : UnreadableImages.Skip)
            : (MnistData.Load(ml, dataDirectory, MnistSplit.Train, maxTrainRows), TestSetEvaluation.LoadTest(ml, dataDirectory, maxTestRows));
        if (imagesArg is null) output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Data: {0} ({1:N0} training images, {2:N0} test images)",
            dataDirectory, train.GetRowCount() ?? 0, test.GetRowCount() ?? 0));
        output.WriteLine($"Training: {TrainingOptions.Describe(options)}" + (ensemble is int memberCount
            ? string.Format(CultureInfo.InvariantCulture, ", ensemble of {0} (seeds {1}-{2})", memberCount, options.Seed, options.Seed + memberCount - 1) : ""));

        // Keys sorted by value, so the classes (and the confusion table) are in digit order.
        ImageFolderTraining.Configure(imagesArg is not null, options);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ensemble is int count
                ? ml.MulticlassClassification.Trainers.TorchCnnEnsemble(new TorchCnnEnsembleOptions
                {
                    Member = options,
                    Count = count,
                    MemberStarting = (i, n, member) => live.WriteLine(string.Format(CultureInfo.InvariantCulture, "Ensemble member {0}/{1} (seed {2})", i + 1, n, member.Seed)),
                })
                : (IEstimator<ITransformer>)ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var stopwatch = Stopwatch.StartNew();
        if (!checkpoint.TryFit(() => pipeline.Fit(train), _console, out var model)) return CliConsole.Interrupted;
        try
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Training time: {0:F1}s", stopwatch.Elapsed.TotalSeconds));

            bool imageInput = imagesArg is not null || parseResult.GetValue(ImageInput);
            var (saved, savedSchema) = ImageFolderTraining.ForSaving(ml, imageInput, model, train.Schema);
            ModelFile.Save(ml, saved, savedSchema, modelPath);
            output.WriteLine($"Model saved to {Path.GetFullPath(modelPath)}");
            checkpoint.ModelSaved();

            if (onnxPath is not null)
            {
                // A model saved with image input gets the same centring in front of the network in its standalone graph.
                var centring = ImageFolderTraining.CentringImageInput(imageInput, model);
                var ensembleModel = TransformerChains.FindOnly<TorchCnnEnsembleTransformer>(model);
                if (centring is null)
                {
                    if (ensembleModel is not null) ensembleModel.ExportOnnx(onnxPath);
                    else TransformerChains.RequireOnly<TorchCnnTransformer>(model).ExportOnnx(onnxPath);
                    output.WriteLine($"ONNX model written to {Path.GetFullPath(onnxPath)}" + (imageInput
                        ? " (pixel input: the colour image chain, resize and extract, is not part of the ONNX graph)" : ""));
                }
                else
                {
                    if (ensembleModel is not null) ensembleModel.ExportOnnx(onnxPath, centring);
                    else TransformerChains.RequireOnly<TorchCnnTransformer>(model).ExportOnnx(onnxPath, centring);
                    output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                        "ONNX model written to {0} (image input '{1}': [N, 4, {2}, {2}] alpha, red, green, blue planes 0-255 of the image fitted into {2}x{2}, transparent padding; MNIST-style centring inside)",
                        Path.GetFullPath(onnxPath), centring.ImageColumnName, centring.WorkingSize));
                }
            }

            if (predictionsPath is not null)
            {
                PredictionsCsv.Write(ml, model.Transform(test), predictionsPath);
                output.WriteLine($"Test predictions written to {Path.GetFullPath(predictionsPath)}");
            }

            TestSetEvaluation.Run(ml, model, test, metricsJson, _console, verbose);

            if (reportDir is not null)
            {
                output.WriteLine();
                var reportOptions = new MlNetMnist.Reports.ReportOptions
                {
                    TopK = ModelEvaluation.DefaultTopK,
                    SampleData = train,
                    // The model's network, options and training history are added from the model itself.
                    Metadata = new MlNetMnist.Reports.ReportMetadata
                    {
                        Title = imagesArg is null ? "MNIST training report" : "Training report: " + Path.GetFileName(dataDirectory.TrimEnd(Path.DirectorySeparatorChar)),
                        Data = ReportCommand.DescribeData(dataDirectory, test, train.GetRowCount(), imageFolder: imagesArg is not null),
                    },
                };
                ReportCommand.Write(ml, model, test, reportOptions, reportDir, _console);
            }
        }
        finally
        {
            foreach (var disposable in TransformerChains.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
        }
        return CliConsole.Success;
    }
}
