using System.CommandLine;
using System.Text.Json;
using MlNetMnist.Cli.Benchmark;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>bench-run --data DIR --config NAME --seed N --result FILE [--bare]</c> (hidden): one benchmark run in
/// its own process, so that peak memory and the process-wide LibTorch state are that run's alone.
/// Started by <see cref="BenchCommand"/>.
/// </summary>
internal sealed class BenchRunCommand
{
    private readonly CliConsole _console;

    public BenchRunCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("bench-run", "One benchmark run (used by bench).") { Hidden = true };
        foreach (var option in new Option[] { Data, Config, Seed, Result, Bare, Threads, OnnxThreads, Epochs, CheckEvery, Evaluation, Holdout, MaxTrainRows, MaxEvalRows, LiveProgress })
            Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files.");

    public Option<string> Config { get; } = new("--config") { Required = true };

    public Option<int> Seed { get; } = new("--seed") { Required = true };

    public Option<string> Result { get; } = new("--result") { Required = true };

    /// <summary>Run the bare TorchSharp baseline instead of the library.</summary>
    public Option<bool> Bare { get; } = new("--bare");

    public Option<int?> Threads { get; } = new("--threads");

    public Option<int> OnnxThreads { get; } = new("--onnx-threads") { DefaultValueFactory = _ => BenchSettings.DefaultOnnxThreads };

    public Option<int?> Epochs { get; } = new("--epochs");

    public Option<int?> CheckEvery { get; } = new("--check-every");

    public Option<string> Evaluation { get; } = new("--eval") { DefaultValueFactory = _ => "test" };

    public Option<int> Holdout { get; } = new("--holdout") { DefaultValueFactory = _ => BenchSettings.DefaultHoldout };

    public Option<int?> MaxTrainRows { get; } = new("--max-train-rows");

    public Option<int?> MaxEvalRows { get; } = new("--max-eval-rows");

    /// <summary>Also print batch progress lines, marked for the parent <c>bench</c> to draw as its live line.</summary>
    public Option<bool> LiveProgress { get; } = new("--live-progress");

    private int Execute(ParseResult parseResult)
    {
        string data = DataFolder.RequireExisting(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        var settings = new BenchSettings(parseResult.GetValue(Threads), parseResult.GetValue(Epochs), parseResult.GetValue(CheckEvery),
            parseResult.GetValue(Evaluation) == "validation" ? BenchEvaluation.Validation : BenchEvaluation.Test, parseResult.GetValue(Holdout),
            parseResult.GetValue(MaxTrainRows), parseResult.GetValue(MaxEvalRows), BenchCommand.OnnxThreadCount(parseResult.GetValue(OnnxThreads)));
        var config = BenchConfig.Get(parseResult.GetValue(Config)!);
        var runner = new BenchRunner(data, _console.Out, parseResult.GetValue(LiveProgress));
        int seed = parseResult.GetValue(Seed);
        var run = parseResult.GetValue(Bare) ? runner.RunBare(config, settings, seed) : runner.Run(config, settings, seed);
        File.WriteAllText(parseResult.GetValue(Result)!, JsonSerializer.Serialize(run, BenchCommand.Json));
        return CliConsole.Success;
    }
}
