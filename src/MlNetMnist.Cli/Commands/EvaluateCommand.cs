using System.Globalization;
using System.CommandLine;
using Microsoft.ML;

namespace MlNetMnist.Cli.Commands;

/// <summary><c>evaluate --data DIR --model model.zip [--metrics-json FILE] [--max-test-rows N]</c>.</summary>
internal sealed class EvaluateCommand
{
    private readonly CliConsole _console;

    public EvaluateCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("evaluate", "Evaluate a saved model (model.zip) on the MNIST test split and print its metrics and confusion table.")
        {
            Data, Model, MaxTestRows, MetricsJson, Threads,
        };
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files (the test split is used).");

    public Option<string> Model { get; } = CommonOptions.Model("The model file written by 'train' (or by mlContext.Model.Save).");

    public Option<int?> MaxTestRows { get; } = CommonOptions.MaxTestRows();

    public Option<string?> MetricsJson { get; } = CommonOptions.MetricsJson();

    public Option<int?> Threads { get; } = CommonOptions.OnnxThreads();

    private int Execute(ParseResult parseResult)
    {
        bool verbose = parseResult.GetValue(_console.Verbose);
        string modelPath = CommonOptions.RequirePath(parseResult.GetValue(Model), "--model");
        string dataArg = CommonOptions.RequirePath(parseResult.GetValue(Data), "--data");
        int? maxTestRows = CommonOptions.RequirePositive(parseResult.GetValue(MaxTestRows), "--max-test-rows");
        string? metricsJson = CommonOptions.OptionalPath(parseResult.GetValue(MetricsJson), "--metrics-json");
        int? threads = CommonOptions.RequirePositive(parseResult.GetValue(Threads), "--threads");

        string dataDirectory = DataFolder.RequireExisting(dataArg);
        var ml = new MLContext(seed: 1);
        ml.SetOnnxThreads(threads);
        var model = ModelFile.Load(ml, modelPath, out _);
        try
        {
            _console.Out.WriteLine($"Model: {Path.GetFullPath(modelPath)}");
            var test = TestSetEvaluation.LoadTest(ml, dataDirectory, maxTestRows);
            double? temperature = SavedModels.SavedModelMetadata.Read(Path.GetFullPath(modelPath)).TryGetValue("temperature", out var t)
                && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
            TestSetEvaluation.Run(ml, model, test, metricsJson, _console, verbose, temperature);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
        return CliConsole.Success;
    }
}
