using MlNetMnist.Data;

namespace MlNetMnist.Cli;

/// <summary>Checks and fills the MNIST data folder.</summary>
internal static class DataFolder
{
    /// <summary>The full path of <paramref name="directory"/>; throws <see cref="DirectoryNotFoundException"/> naming it when it does not exist.</summary>
    public static string RequireExisting(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"data folder not found: {full} (expected the MNIST IDX files there; 'download --data {directory}' fetches them)");
        return full;
    }

    /// <summary>
    /// Downloads whichever of the four MNIST files are missing from <paramref name="directory"/>
    /// (creating it), printing a line per file and, on a terminal, a live line with the bytes received.
    /// </summary>
    public static string Ensure(string directory, IReadOnlyList<string>? mirrors, TextWriter output, LiveProgress live, bool verifyExisting = false)
    {
        string full = Path.GetFullPath(directory);
        var downloader = new MnistDownloader(mirrors: mirrors is { Count: > 0 } ? mirrors : null)
        {
            VerifyExistingFiles = verifyExisting,
            ByteProgress = live.Enabled ? new SyncProgress<DownloadProgress>(p => live.Update("  " + p)) : null,
        };
        downloader.EnsureAsync(full, new SyncProgress<string>(line => live.WriteLine("  " + line))).GetAwaiter().GetResult();
        live.Clear();
        return full;
    }

    /// <summary>Reports synchronously and in order (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock) report(value);
        }
    }
}
