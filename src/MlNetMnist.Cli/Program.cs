using System.CommandLine;
using MlNetMnist.Cli.Commands;

namespace MlNetMnist.Cli;

/// <summary>
/// Entry point of the <c>MlNetMnist.Cli</c> tool: <c>download</c>, <c>train</c>, <c>evaluate</c> and <c>report</c>.
/// Exit codes: 0 success, 1 failure (missing or bad data or model file, training error), 2 usage error
/// (unknown command or option, bad option value), 130 training interrupted by Ctrl+C or SIGTERM (checkpoint written;
/// <c>train --resume</c> continues).
/// </summary>
public static class Program
{
    /// <summary>Runs the tool on the process's console.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error, isTerminal: !Console.IsOutputRedirected);

    /// <summary>Runs the tool in-process, writing normal output to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    /// <param name="args">The command line, e.g. <c>["train", "--data", "data/mnist", "--model", "model.zip"]</c>.</param>
    /// <param name="output">Receives progress, metrics and help.</param>
    /// <param name="error">Receives <c>error: ...</c> lines (and stack traces with <c>--verbose</c>).</param>
    /// <param name="isTerminal">True when <paramref name="output"/> is a terminal: long work then shows a live progress line (rewritten with carriage returns).</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool isTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        var console = new CliConsole(output, error, isTerminal);
        var root = BuildRootCommand(console);
        var parseResult = root.Parse(args);
        if (parseResult.Action is System.CommandLine.Invocation.ParseErrorAction)
            return console.ReportParseErrors(parseResult);
        return parseResult.Invoke(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Each command reports its own errors as one line (CliConsole.Execute).
            EnableDefaultExceptionHandler = false,
        });
    }

    /// <summary>The root command with its subcommands, writing through <paramref name="console"/>.</summary>
    internal static RootCommand BuildRootCommand(CliConsole console)
    {
        var root = new RootCommand("Train TorchSharp CNNs on MNIST through ML.NET pipelines, evaluate saved models, download the data.");
        root.Options.Add(console.Verbose);
        root.Subcommands.Add(new DownloadCommand(console).Command);
        root.Subcommands.Add(new TrainCommand(console).Command);
        root.Subcommands.Add(new EvaluateCommand(console).Command);
        root.Subcommands.Add(new PredictCommand(console).Command);
        root.Subcommands.Add(new ReportCommand(console).Command);
        root.Subcommands.Add(new BenchCommand(console).Command);
        root.Subcommands.Add(new BenchRunCommand(console).Command);
        root.Subcommands.Add(new RobustnessCommand(console).Command);
        root.Subcommands.Add(new ReadNumberCommand(console).Command);
        root.Subcommands.Add(new NumbersCommand(console).Command);
        return root;
    }
}
