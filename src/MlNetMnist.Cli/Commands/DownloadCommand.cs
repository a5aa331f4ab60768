using System.CommandLine;

namespace MlNetMnist.Cli.Commands;

/// <summary><c>download --data DIR [--mirror URL]... [--verify]</c>: fetches the MNIST files that are missing.</summary>
internal sealed class DownloadCommand
{
    private readonly CliConsole _console;

    public DownloadCommand(CliConsole console)
    {
        _console = console;
        Command = new Command("download", "Download the four MNIST files (gzipped IDX) into a folder; files already there are kept.")
        {
            Data, Mirrors, Verify,
        };
        Command.SetAction(parseResult => _console.Execute(parseResult, () => Execute(parseResult)));
    }

    public Command Command { get; }

    public Option<string> Data { get; } = CommonOptions.Data("Folder to put the MNIST files in (created if needed).");

    public Option<string[]> Mirrors { get; } = CommonOptions.Mirrors();

    public Option<bool> Verify { get; } = new("--verify")
    {
        Description = "Also check the MD5 of files already present.",
    };

    private int Execute(ParseResult parseResult)
    {
        string directory = Path.GetFullPath(CommonOptions.RequirePath(parseResult.GetValue(Data), "--data"));
        _console.Out.WriteLine($"MNIST into {directory}");
        DataFolder.Ensure(directory, parseResult.GetValue(Mirrors), _console.Out, _console.NewLiveProgress(), parseResult.GetValue(Verify));
        _console.Out.WriteLine("All four MNIST files are present.");
        return CliConsole.Success;
    }
}
