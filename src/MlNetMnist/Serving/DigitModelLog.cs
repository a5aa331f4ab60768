using Microsoft.Extensions.Logging;

namespace MlNetMnist.Serving;

/// <summary>The log messages of <see cref="DigitModelPool"/> (category <c>MlNetMnist.Serving.DigitModelPool</c>).</summary>
internal static partial class DigitModelLog
{
    [LoggerMessage(EventId = 1, EventName = "ModelLoaded", Level = LogLevel.Information,
        Message = "Loaded digit model '{Model}' version {Version} from {Path} ({ClassCount} classes, {Width}x{Height} input) in {ElapsedMs:F0} ms")]
    public static partial void ModelLoaded(ILogger logger, string model, string version, string path, int classCount, int width, int height, double elapsedMs);

    [LoggerMessage(EventId = 2, EventName = "ModelReloaded", Level = LogLevel.Information,
        Message = "Reloaded digit model '{Model}' from {Path}: version {OldVersion} -> {Version} (generation {Generation}), loaded in {ElapsedMs:F0} ms; requests in flight finish on {OldVersion}")]
    public static partial void ModelReloaded(ILogger logger, string model, string path, string oldVersion, string version, long generation, double elapsedMs);

    [LoggerMessage(EventId = 3, EventName = "ReloadRefused", Level = LogLevel.Warning,
        Message = "Refused the changed file of digit model '{Model}' ({Path}): {Reason} Version {Version} keeps serving.")]
    public static partial void ReloadRefused(ILogger logger, Exception? error, string model, string path, string reason, string version);

    [LoggerMessage(EventId = 4, EventName = "LoadFailed", Level = LogLevel.Error,
        Message = "Could not load digit model '{Model}' from {Path}: {Reason}")]
    public static partial void LoadFailed(ILogger logger, Exception error, string model, string path, string reason);

    [LoggerMessage(EventId = 5, EventName = "ModelFileUnchanged", Level = LogLevel.Debug,
        Message = "The file of digit model '{Model}' ({Path}) was touched but its content is the same: version {Version} stays")]
    public static partial void ModelFileUnchanged(ILogger logger, string model, string path, string version);

    [LoggerMessage(EventId = 6, EventName = "PredictionFailed", Level = LogLevel.Error,
        Message = "A prediction of digit model '{Model}' version {Version} failed")]
    public static partial void PredictionFailed(ILogger logger, Exception error, string model, string version);

    [LoggerMessage(EventId = 7, EventName = "InvalidInput", Level = LogLevel.Debug,
        Message = "Digit model '{Model}' was given input it cannot predict: {Reason}")]
    public static partial void InvalidInput(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 8, EventName = "WatchFailed", Level = LogLevel.Error,
        Message = "Watching or checking the file of digit model '{Model}' ({Path}) for changes failed; the loaded version keeps serving (and the file is polled)")]
    public static partial void WatchFailed(ILogger logger, Exception error, string model, string path);
}
