using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ScaleOut;

/// <summary>
/// One replica of the web app: its own process on a loopback port chosen by the OS (read back from the
/// "Now listening on" line), serving the shared model.zip with one ONNX Runtime thread.
/// </summary>
internal sealed partial class Replica : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Replica(int number, Process process)
    {
        Number = number;
        _process = process;
    }

    public int Number { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>The replica's console output (model loads and reloads, start and stop), line by line.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public bool HasExited => _process.HasExited;

    public static async Task<Replica> StartAsync(int number, string webApp, string modelPath, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            webApp, "--urls", "http://127.0.0.1:0", "--model", modelPath,
            "--DigitModels:Models:digits:Threads", "1",
            "--DigitModels:Models:digits:ReloadDelay", "00:00:00.200",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            "--Logging:LogLevel:MlNetMnist", "Information",
            "--Logging:LogLevel:DigitWebApp", "Information",
            "--Logging:Console:FormatterName", "simple",
            "--Logging:Console:FormatterOptions:SingleLine", "true",
        })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var replica = new Replica(number, process);
        process.OutputDataReceived += (_, e) => replica.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => replica.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            var exited = process.WaitForExitAsync(timeout.Token);
            var first = await Task.WhenAny(replica._listening.Task, exited);
            if (first != replica._listening.Task)
                throw new InvalidOperationException($"Replica {number} stopped before listening:{Environment.NewLine}{string.Join(Environment.NewLine, replica.Log)}");
            replica.Url = await replica._listening.Task;
            return replica;
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        Log.Enqueue(line);
        var match = ListeningLine().Match(line);
        if (match.Success) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>Kills the process at once (SIGKILL): requests in flight on it are cut.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops the replica gracefully (SIGTERM), killing it if it takes longer than 20 s.</summary>
    public void Dispose()
    {
        Signals.Stop(_process, TimeSpan.FromSeconds(20));
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
