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

    /// <summary>Downloads whichever of the four MNIST files are missing from <paramref name="directory"/> (creating it), printing a line per file.</summary>
    public static string Ensure(string directory, IReadOnlyList<string>? mirrors, TextWriter output, bool verifyExisting = false)
    {
        string full = Path.GetFullPath(directory);
        var downloader = new MnistDownloader(mirrors: mirrors is { Count: > 0 } ? mirrors : null) { VerifyExistingFiles = verifyExisting };
        downloader.EnsureAsync(full, new WriterProgress(output)).GetAwaiter().GetResult();
        return full;
    }

    /// <summary>Reports progress lines synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
    private sealed class WriterProgress(TextWriter output) : IProgress<string>
    {
        private readonly Lock _lock = new();

        public void Report(string value)
        {
            lock (_lock) output.WriteLine("  " + value);
        }
    }
}
