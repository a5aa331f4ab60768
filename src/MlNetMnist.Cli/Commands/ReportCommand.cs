using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>report --model model.zip --data DIR --out DIR [--max-test-rows N]</c>: evaluates a saved model on
/// the MNIST test split and writes the report (HTML, Markdown, JSON, CSV, PNG) into a folder. Also
/// used by <c>train --report DIR</c>, which adds the training curves.
/// </summary>
internal sealed class ReportCommand
{
    /// <summary>Training images shown in the report's sample grid.</summary>
    private const int SampleImages = 40;

    private readonly CliConsole _console;

    public ReportCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("report", "Evaluate a saved model on the MNIST test split and write a confusion-matrix report: a self-contained HTML page, Markdown, JSON, CSV and PNG charts.")
        {
            Model, Data, Out, MaxTestRows,
        };
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Model { get; } = CommonOptions.Model("The model file written by 'train' (or by mlContext.Model.Save).");

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files (the test split is evaluated; sample images come from the training split when it is there).");

    public Option<string> Out { get; } = OutOption("Folder to write the report into (created if needed): report.html, report.md, report.json, CSV tables and PNG charts.", required: true);

    public Option<int?> MaxTestRows { get; } = CommonOptions.MaxTestRows();

    /// <summary>An <c>--out DIR</c> / <c>--report DIR</c> style option.</summary>
    internal static Option<string> OutOption(string description, bool required, string name = "--out") => new(name)
    {
        Description = description,
        HelpName = "DIR",
        Required = required,
    };

    /// <summary>Throws a <see cref="UsageException"/> when <paramref name="directory"/> is an existing file.</summary>
    internal static string RequireFolderPath(string directory, string optionName)
    {
        if (File.Exists(directory)) throw new UsageException($"{optionName} {directory} is a file; expected a folder for the report.");
        return directory;
    }

    private int Execute(ParseResult parseResult)
    {
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        string dataArg = CommonOptions.RequirePath(parseResult.GetValue(Data), "--data");
        string outDir = RequireFolderPath(CommonOptions.RequirePath(parseResult.GetValue(Out), "--out"), "--out");
        int? maxTestRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTestRows), "--max-test-rows");

        string dataDirectory = DataFolder.RequireExisting(dataArg);
        var ml = new MLContext(seed: 1);
        var model = ModelFile.Load(ml, modelPath, out _);
        try
        {
            _console.Out.WriteLine($"Model: {Path.GetFullPath(modelPath)}");
            var test = TestSetEvaluation.LoadTest(ml, dataDirectory, maxTestRows);
            var options = new ReportOptions
            {
                TopK = ModelEvaluation.DefaultTopK,
                // A loaded model scores through ONNX; the shape is in the file (and 784 values are 28x28 anyway).
                ImageShape = ImageShape.FromModelFile(modelPath),
                SampleData = LoadSamples(dataDirectory, test),
                Metadata = new ReportMetadata
                {
                    Title = "MNIST test report: " + Path.GetFileName(Path.GetFullPath(modelPath)),
                    Model = ReportMetadata.DescribeModelFile(modelPath),
                    Data = DescribeData(dataDirectory, test),
                },
            };
            Write(ml, model, test, options, outDir, _console);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
        return CliConsole.Success;
    }

    /// <summary>
    /// Builds the report of <paramref name="model"/> on <paramref name="test"/>, writes every format into
    /// <paramref name="outDir"/> and prints the accuracy and the files written.
    /// </summary>
    internal static MetricsReport Write(MLContext ml, ITransformer model, IDataView test, ReportOptions options, string outDir, CliConsole console)
    {
        NonDigitReportImages.AddTo(options, model, test);
        var report = MetricsReport.Evaluate(ml, model, test, options);
        var files = ReportWriter.WriteAll(report, outDir);
        console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Report: accuracy {0:F2}% on {1:N0} test images, {2:N0} errors; {3} misclassified images kept",
            report.MicroAccuracy * 100, report.TotalCount, report.ErrorCount, report.Misclassified.Count));
        if (report.OutOfDistribution?.Calibrated is { } calibrated)
            console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, "Out-of-distribution score at its calibrated threshold: {0:P2} of the test images flagged{1}",
                calibrated.DigitsFlagged, calibrated.NonDigitsCaught is double caught
                    ? string.Format(CultureInfo.InvariantCulture, ", {0:P1} of {1:N0} non-digit images caught (the top probability, flagging as many digits: {2:P1})", caught, report.OutOfDistribution.NonDigitRows, calibrated.TopProbabilityCatch)
                    : ""));
        console.Out.WriteLine($"Report written to {Path.GetDirectoryName(files.Html)}:");
        foreach (var file in files.All) console.Out.WriteLine($"  {Path.GetFileName(file)}");
        return report;
    }

    /// <summary>The first training images for the sample grid, or null (the test images) when the training split is not in the folder.</summary>
    internal static IDataView? LoadSamples(string dataDirectory, IDataView test)
    {
        try
        {
            return MnistData.Load(new MLContext(seed: 1), dataDirectory, MnistSplit.Train, SampleImages);
        }
        catch (MnistDataException)
        {
            return test;
        }
    }

    /// <summary>The data entries of the report's metadata, for MNIST or (<paramref name="imageFolder"/>) a folder of labelled images.</summary>
    internal static IReadOnlyList<MetadataEntry> DescribeData(string dataDirectory, IDataView test, long? trainingRows = null, bool imageFolder = false)
    {
        var ci = CultureInfo.InvariantCulture;
        var entries = new List<MetadataEntry>
        {
            new(imageFolder ? "Image folder" : "Data folder", Path.GetFullPath(dataDirectory)),
            new("Evaluated on", string.Format(ci, imageFolder ? "held-out images, {0:N0}" : "MNIST test split, {0:N0} images", test.GetRowCount() ?? 0)),
        };
        if (trainingRows is long rows)
            entries.Add(new("Trained on", string.Format(ci, imageFolder ? "the other images, {0:N0}" : "MNIST training split, {0:N0} images", rows)));
        return entries;
    }
}
