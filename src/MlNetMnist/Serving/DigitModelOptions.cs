namespace MlNetMnist.Serving;

/// <summary>
/// One named model of a <see cref="DigitModelPool"/>: its <c>model.zip</c>, how changes to that file are
/// picked up, and the service options it is served with (threshold, top count, pool size, pre-processing,
/// ONNX Runtime threads). Bound from configuration, e.g. <c>DigitModels:Models:digits</c>.
/// </summary>
public sealed class DigitModelOptions : DigitPredictionServiceOptions
{
    /// <summary>The model file. A relative path is taken from the current directory when the pool is created.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Reload the model when its file changes (default true). The new file is loaded beside the old
    /// model and swapped in atomically; requests in flight finish on the old one. A file that cannot be
    /// loaded is refused with a log line and the old model keeps serving.
    /// </summary>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>
    /// How long the file must stay unchanged after a change notification before it is read (so that a
    /// file being copied in place is read once, when complete). Default 500 ms.
    /// </summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How often the file's size and time stamp are also compared, besides file-system notifications
    /// (which miss changes on some network volumes and when a mounted volume swaps a symbolic link, as
    /// Kubernetes does for ConfigMaps). Default 10 s; <see cref="TimeSpan.Zero"/> turns polling off.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Use file-system notifications (on by default; off leaves polling alone, for tests of polling).</summary>
    internal bool UseFileNotifications { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is not valid.</summary>
    public override void Validate()
    {
        base.Validate();
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException("DigitModelOptions.ModelPath must name the model file (model.zip).");
        if (ReloadDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReloadDelay), ReloadDelay, "DigitModelOptions.ReloadDelay must not be negative.");
        if (PollInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "DigitModelOptions.PollInterval must not be negative (zero turns polling off).");
    }
}
