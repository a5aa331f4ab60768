using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace MlNetMnist.Serving;

/// <summary>
/// One named model of a <see cref="DigitModelPool"/>: loads its file (on first use or at start-up), then,
/// when the file changes, loads the new file beside the served version and swaps it in atomically. A
/// new file that cannot be loaded is refused and the served version stays.
/// </summary>
internal sealed class ModelSlot : IDisposable
{
    private readonly DigitModelOptions _options;
    private readonly ILogger _logger;
    private readonly DigitModelMetrics _metrics;
    private readonly Lock _gate = new();
    private ServedModel? _current;
    private string? _currentHash;
    private string? _refusedHash;
    private FileStamp? _lastStamp;
    private bool _missingReported;
    private long _generation;
    private (string Message, DateTimeOffset At)? _reloadError;
    private ModelFileWatcher? _watcher;
    private volatile bool _disposed;

    public ModelSlot(string name, DigitModelOptions options, ILogger logger, DigitModelMetrics metrics)
    {
        Name = name;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        FullPath = Path.GetFullPath(options.ModelPath);
    }

    public string Name { get; }

    public string FullPath { get; }

    /// <summary>The served version with a reference taken for the caller (loading the model first if needed).</summary>
    public ServedModel Acquire()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var model = Volatile.Read(ref _current) ?? LoadFirst();
            if (model.TryAcquire()) return model;
            // That version was swapped out and released between the read and the acquire: take the new one.
        }
    }

    public ServedModel? Current => Volatile.Read(ref _current);

    public DigitModelInfo Info()
    {
        lock (_gate)
        {
            var m = _current;
            return new DigitModelInfo(Name, FullPath, m is not null, m?.Version, _generation, m?.LoadedAt, _reloadError?.Message, _reloadError?.At);
        }
    }

    /// <summary>Loads the model if it is not loaded yet; throws (after logging) when the file cannot be loaded.</summary>
    public ServedModel LoadFirst()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_current is not null) return _current;
            var stamp = FileStamp.Of(FullPath);
            try
            {
                long start = Stopwatch.GetTimestamp();
                var (service, hash) = Load(ReadFile());
                _current = new ServedModel(service, hash[..12], ++_generation, DateTimeOffset.UtcNow);
                _currentHash = hash;
                _lastStamp = stamp;
                double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                DigitModelLog.ModelLoaded(_logger, Name, _current.Version, FullPath, service.ClassNames.Count, service.Width, service.Height, elapsed);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                DigitModelLog.LoadFailed(_logger, e, Name, FullPath, e.Message);
                throw new InvalidOperationException($"Digit model '{Name}' could not be loaded: {e.Message}", e);
            }
            if (_options.WatchForChanges) _watcher = StartWatching();
            return _current;
        }
    }

    /// <summary>
    /// Watches the file; when file-system notifications cannot be had (e.g. the inotify watch limit is
    /// reached), says so and polls (every 10 s if polling was off).
    /// </summary>
    private ModelFileWatcher StartWatching()
    {
        try
        {
            return new ModelFileWatcher(FullPath, _options.ReloadDelay, _options.PollInterval, _options.UseFileNotifications, CheckForChange);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            var poll = _options.PollInterval > TimeSpan.Zero ? _options.PollInterval : TimeSpan.FromSeconds(10);
            DigitModelLog.WatchFailed(_logger, e, Name, FullPath);
            return new ModelFileWatcher(FullPath, _options.ReloadDelay, poll, notifications: false, CheckForChange);
        }
    }

    /// <summary>
    /// Compares the file with the served version and swaps in a changed file that loads. Called by the
    /// watcher (notified: read the file whatever its time stamp says) and by polling (notified: false:
    /// read it only when its size or time stamp changed).
    /// </summary>
    public void CheckForChange(bool notified)
    {
        try
        {
            lock (_gate)
            {
                if (_disposed || _current is null) return;
                var stamp = FileStamp.Of(FullPath);
                if (stamp is null)
                {
                    if (!_missingReported)
                    {
                        _missingReported = true;
                        _reloadError = ($"the model file is gone ({FullPath})", DateTimeOffset.UtcNow);
                        DigitModelLog.ReloadRefused(_logger, null, Name, FullPath, "the file is gone.", _current.Version);
                    }
                    return;
                }
                _missingReported = false;
                if (!notified && stamp == _lastStamp) return;
                _lastStamp = stamp;
                Reload();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            DigitModelLog.WatchFailed(_logger, e, Name, FullPath);
        }
    }

    private void Reload()
    {
        var old = _current!;
        long start = Stopwatch.GetTimestamp();
        byte[] bytes;
        try
        {
            bytes = ReadFile();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Refuse(e, old, e.Message);
            return;
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (hash == _currentHash)
        {
            _reloadError = null;
            _refusedHash = null;
            DigitModelLog.ModelFileUnchanged(_logger, Name, FullPath, old.Version);
            return;
        }
        if (hash == _refusedHash) return;

        DigitPredictionService service;
        try
        {
            (service, _) = Load(bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _refusedHash = hash;
            Refuse(e, old, e.Message);
            return;
        }
        var loaded = new ServedModel(service, hash[..12], ++_generation, DateTimeOffset.UtcNow);
        Volatile.Write(ref _current, loaded);
        _currentHash = hash;
        _refusedHash = null;
        _reloadError = null;
        old.Release();
        _metrics.Reloaded(Name, loaded: true);
        double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        DigitModelLog.ModelReloaded(_logger, Name, FullPath, old.Version, loaded.Version, loaded.Generation, elapsed);
    }

    private void Refuse(Exception e, ServedModel served, string reason)
    {
        _reloadError = ($"the changed file was refused: {reason}", DateTimeOffset.UtcNow);
        _metrics.Reloaded(Name, loaded: false);
        DigitModelLog.ReloadRefused(_logger, e, Name, FullPath, reason, served.Version);
    }

    /// <summary>The whole file, read at once (a snapshot that a later change cannot alter).</summary>
    private byte[] ReadFile()
    {
        if (Directory.Exists(FullPath))
            throw new InvalidDataException($"{FullPath}: is a folder; expected an ML.NET model file (.zip).");
        if (!File.Exists(FullPath))
            throw new FileNotFoundException($"{FullPath}: model file not found.", FullPath);
        return File.ReadAllBytes(FullPath);
    }

    private (DigitPredictionService Service, string Hash) Load(byte[] bytes)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return (DigitPredictionService.LoadSnapshot(bytes, FullPath, _options), hash);
    }

    public void Dispose()
    {
        ServedModel? served;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _watcher?.Dispose();
            served = _current;
            _current = null;
        }
        // Requests still holding a lease finish first; the last one disposes the service.
        served?.Release();
    }

    /// <summary>A file's size and last write time (of the final target when the path is a symbolic link).</summary>
    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
    {
        public static FileStamp? Of(string path)
        {
            try
            {
                FileSystemInfo info = new FileInfo(path);
                if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
                return info is FileInfo { Exists: true } file ? new FileStamp(file.Length, file.LastWriteTimeUtc) : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }
}
