using System.CommandLine;
using MlNetMnist.Data;

namespace MlNetMnist.Cli;

/// <summary>
/// The writers a command prints to, the shared <c>--verbose</c> option, and the mapping of
/// exceptions to one <c>error: ...</c> line and an exit code.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error, bool isTerminal = false)
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a run that failed (data, model file, training).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command line that is not valid.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a training stopped by Ctrl+C (128 + SIGINT), after writing its checkpoint.</summary>
    public const int Interrupted = 130;

    /// <summary>Normal output.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Error output.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when the normal output is a terminal: long work then shows a live progress line.</summary>
    public bool IsTerminal { get; } = isTerminal;

    /// <summary>A live progress line on the normal output (drawn only on a terminal).</summary>
    public LiveProgress NewLiveProgress() => new(Out, IsTerminal);

    /// <summary><c>--verbose</c>: more detail, and stack traces with errors. Accepted by every command.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Print more detail, and the stack trace with an error.",
        Recursive = true,
    };

    /// <summary>Runs <paramref name="action"/>, turning an exception into an <c>error:</c> line and an exit code.</summary>
    public int Execute(ParseResult parseResult, Func<int> action)
    {
        bool verbose = parseResult.GetValue(Verbose);
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Out.Flush();
            Error.WriteLine($"error: {Describe(e)}");
            if (verbose) Error.WriteLine(e.ToString());
            Error.Flush();
            return e is UsageException ? UsageError : Failure;
        }
    }

    /// <summary>Prints each parse error as an <c>error:</c> line and a hint to use <c>--help</c>.</summary>
    public int ReportParseErrors(ParseResult parseResult)
    {
        foreach (var parseError in parseResult.Errors)
            Error.WriteLine($"error: {OneLine(parseError.Message)}");
        var command = parseResult.CommandResult.Command;
        Error.WriteLine($"Run 'MlNetMnist.Cli {(command is RootCommand ? "" : command.Name + " ")}--help' for usage.");
        Error.Flush();
        return UsageError;
    }

    /// <summary>The message of <paramref name="e"/> as one line, without .NET's parameter-name decoration.</summary>
    internal static string Describe(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException argument)
        {
            var lines = message.Split('\n').Select(l => l.TrimEnd('\r'))
                .Where(l => !l.StartsWith("Actual value was", StringComparison.Ordinal)).ToArray();
            message = string.Join(' ', lines);
            if (argument.ParamName is { } name)
                message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        }
        else if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            return Describe(aggregate.InnerExceptions[0]);
        }
        else if (e is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            return Describe(inner);
        }
        message = OneLine(message);
        return e is MnistDataException or IOException or InvalidDataException or UsageException or InvalidOperationException or ArgumentException or UnauthorizedAccessException
            ? message
            : $"{message} ({e.GetType().Name})";
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>A command line that parsed but whose values are not valid; exit code 2.</summary>
internal sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);
