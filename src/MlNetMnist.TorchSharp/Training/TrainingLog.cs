using Microsoft.ML.Runtime;

namespace MlNetMnist.Training;

/// <summary>
/// Where a training run reports: the <c>MLContext</c>'s log (through an ML.NET channel of the
/// trainer's host), the <see cref="TorchCnnOptions.Progress"/> callback and the
/// <see cref="TrainingHistory"/>. Warnings go to all three: logged at once, kept in the history, and
/// handed to the next progress report.
/// </summary>
internal sealed class TrainingLog : IDisposable
{
    private readonly IChannel? _channel;
    private readonly Action<TrainingProgress>? _progress;
    private readonly List<string> _pending = [];

    public TrainingLog(IHost? host, Action<TrainingProgress>? progress, TrainingHistory history)
    {
        _channel = host?.Start("Training");
        _progress = progress;
        History = history;
    }

    public TrainingHistory History { get; }

    /// <summary>An informational line (settings, per-epoch figures).</summary>
    public void Info(string message) => _channel?.Info(MessageSensitivity.None, message);

    /// <summary>A warning: logged, kept in the history and passed with the next progress report.</summary>
    public void Warning(string message)
    {
        _channel?.Warning(MessageSensitivity.None, message);
        History.AddWarning(message);
        _pending.Add(message);
    }

    /// <summary>Records an epoch: history, log line, then the progress callback (with the pending warnings).</summary>
    public void Epoch(TrainingProgress progress)
    {
        if (_pending.Count > 0)
        {
            progress = progress with { Warnings = _pending.ToArray() };
            _pending.Clear();
        }
        History.Add(progress);
        Info(progress.ToString());
        _progress?.Invoke(progress);
    }

    public void Dispose() => _channel?.Dispose();
}
