using MlNetMnist.Cli;

namespace MlNetMnist.Tests.Shared;

/// <summary>Runs the command-line tool in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    public static Result Run(params string[] args) => Run(isTerminal: false, args);

    /// <summary>Runs the tool as if its output were a terminal (<paramref name="isTerminal"/>) or redirected.</summary>
    public static Result Run(bool isTerminal, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error, isTerminal);
        return new Result(code, output.ToString(), error.ToString());
    }
}
