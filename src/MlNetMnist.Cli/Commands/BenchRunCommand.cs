using System.CommandLine;
using System.Text.Json;
using MlNetMnist.Cli.Benchmark;

namespace MlNetMnist.Cli.Commands;

/// <summary>
/// <c>bench-run --data DIR --config NAME --result FILE</c> (hidden): one benchmark run in its own
/// process, so that peak memory is that of the run alone. Started by <see cref="BenchCommand"/>.
/// </summary>
internal sealed class BenchRunCommand
{
    private readonly CliConsole _console;

    public BenchRunCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("bench-run", "One benchmark run (used by bench).") { Hidden = true };
        foreach (var option in new Option[] { Data, Config, Result, Threads, Epochs, CheckEvery, LiveProgress }) Command.Options.Add(option);
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder with the MNIST files.");

    public Option<string> Config { get; } = new("--config") { Required = true };

    public Option<string> Result { get; } = new("--result") { Required = true };

    public Option<int?> Threads { get; } = new("--threads");

    public Option<int?> Epochs { get; } = new("--epochs");

    public Option<int?> CheckEvery { get; } = new("--check-every");

    /// <summary>Also print batch progress lines, marked for the parent <c>bench</c> to draw as its live line.</summary>
    public Option<bool> LiveProgress { get; } = new("--live-progress");

    private int Execute(ParseResult parseResult)
    {
        string data = DataFolder.RequireExisting(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        var run = new BenchRunner(data, _console.Out, parseResult.GetValue(LiveProgress)).Run(parseResult.GetValue(Config)!,
            new BenchSettings(parseResult.GetValue(Threads), parseResult.GetValue(Epochs), parseResult.GetValue(CheckEvery)));
        File.WriteAllText(parseResult.GetValue(Result)!, JsonSerializer.Serialize(run));
        return CliConsole.Success;
    }
}
