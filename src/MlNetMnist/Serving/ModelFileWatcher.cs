namespace MlNetMnist.Serving;

/// <summary>
/// Calls back when a model file may have changed: on file-system notifications about the file (after
/// the file has been quiet for the reload delay, so a file still being written is read once) and, if
/// asked, every poll interval. The callback compares the file itself; this class only says "look"
/// (with true after a notification: read the file; false on a poll: read it if its size or time changed).
/// </summary>
internal sealed class ModelFileWatcher : IDisposable
{
    private readonly string _fileName;
    private readonly TimeSpan _delay;
    private readonly Action<bool> _check;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _debounce;
    private readonly Timer? _poll;
    private int _disposed;

    public ModelFileWatcher(string fullPath, TimeSpan delay, TimeSpan pollInterval, bool notifications, Action<bool> check)
    {
        _fileName = Path.GetFileName(fullPath);
        _delay = delay;
        _check = check;
        _debounce = new Timer(_ => Run(notified: true), null, Timeout.Infinite, Timeout.Infinite);
        if (notifications)
        {
            // The whole folder, filtered by name here: a file renamed over the model (the atomic way to
            // replace it) must be seen whatever its temporary name was.
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(fullPath)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Deleted += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.Error += (_, _) => Schedule();
            _watcher.EnableRaisingEvents = true;
        }
        if (pollInterval > TimeSpan.Zero)
            _poll = new Timer(_ => Run(notified: false), null, pollInterval, pollInterval);
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.Name, _fileName, StringComparison.Ordinal)
            || (e is RenamedEventArgs renamed && string.Equals(renamed.OldName, _fileName, StringComparison.Ordinal)))
            Schedule();
    }

    private void Schedule()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            _debounce.Change(_delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Run(bool notified)
    {
        if (Volatile.Read(ref _disposed) == 0) _check(notified);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _watcher?.Dispose();
        _debounce.Dispose();
        _poll?.Dispose();
    }
}
