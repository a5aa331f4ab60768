using System.Runtime.InteropServices;
using MlNetMnist.Training;

namespace MlNetMnist.Cli;

/// <summary>
/// The checkpoint of one <c>train</c> run and its Ctrl+C handling: while training runs, the first
/// Ctrl+C (SIGINT), or a SIGTERM (<c>kill</c>, <c>docker stop</c>, a Kubernetes pod stopping), stops it
/// cleanly at the next batch (a checkpoint is written, the exit code is 130); a second one ends the
/// process at once.
/// </summary>
internal sealed class CheckpointRun : IDisposable
{
    private readonly CancellationTokenSource _interrupt = new();
    private readonly bool _deleteWhenSaved;

    public CheckpointRun(string path, bool deleteWhenSaved)
    {
        Path = path;
        _deleteWhenSaved = deleteWhenSaved;
    }

    /// <summary>The checkpoint file (full path).</summary>
    public string Path { get; }

    /// <summary>Signalled by the first Ctrl+C during <see cref="TryFit{T}"/>.</summary>
    public CancellationToken Token => _interrupt.Token;

    /// <summary>
    /// Runs <paramref name="fit"/> with Ctrl+C turned into a clean stop. Returns false after an
    /// interruption, having printed where the checkpoint is to <paramref name="console"/>.
    /// </summary>
    public bool TryFit<T>(Func<T> fit, CliConsole console, out T result) where T : class
    {
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            if (_interrupt.IsCancellationRequested) return; // second Ctrl+C: let the process end
            e.Cancel = true;
            _interrupt.Cancel();
        };
        Console.CancelKeyPress += handler;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            if (_interrupt.IsCancellationRequested) return; // a second SIGTERM: let the process end
            context.Cancel = true;
            _interrupt.Cancel();
        });
        try
        {
            result = fit();
            return true;
        }
        catch (TrainingInterruptedException e)
        {
            console.Out.Flush();
            console.Error.WriteLine($"Interrupted: training stopped in epoch {e.Epoch} of {e.Epochs} after {e.BatchesDone} of {e.BatchesPerEpoch} batches.");
            console.Error.WriteLine(e.CheckpointPath is null
                ? "No checkpoint was written."
                : $"Checkpoint written to {e.CheckpointPath}; run the same command with --resume to continue.");
            console.Error.Flush();
            result = null!;
            return false;
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    /// <summary>Deletes the default checkpoint once the model it led to is saved (a checkpoint named with --checkpoint is kept).</summary>
    public void ModelSaved()
    {
        if (!_deleteWhenSaved) return;
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The model is saved; a leftover checkpoint is only wasted space.
        }
    }

    public void Dispose() => _interrupt.Dispose();
}
