using System.Net;

namespace MlNetMnist.Data;

/// <summary>
/// Downloads the four MNIST files (<c>{name}.gz</c>) into a folder, trying a list of mirrors in
/// order. Each download is checked against the MD5 of its decompressed content
/// (<see cref="MnistFiles"/>) and written atomically: it goes to a temporary file in the same folder
/// and only takes its final name once verified.
/// </summary>
public sealed class MnistDownloader
{
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });

    private readonly HttpClient _http;

    /// <summary>The default mirrors, in the order they are tried.</summary>
    public static IReadOnlyList<string> DefaultMirrors { get; } =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ];

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">The client to download with (not disposed by the downloader); null for a shared default client.</param>
    /// <param name="mirrors">Base URLs tried in order, each serving <c>{name}.gz</c>; null for <see cref="DefaultMirrors"/>.</param>
    public MnistDownloader(HttpClient? httpClient = null, IEnumerable<string>? mirrors = null)
    {
        _http = httpClient ?? SharedClient.Value;
        var list = (mirrors ?? DefaultMirrors).Select(m => m.EndsWith('/') ? m : m + "/").ToArray();
        if (list.Length == 0) throw new ArgumentException("At least one mirror is needed.", nameof(mirrors));
        Mirrors = list;
    }

    /// <summary>The mirrors' base URLs, each ending with <c>/</c>, in the order they are tried.</summary>
    public IReadOnlyList<string> Mirrors { get; }

    /// <summary>
    /// When true, <see cref="EnsureAsync"/> also checks the MD5 of files already present (which means
    /// decompressing them) and throws on a mismatch. False by default: present files are trusted.
    /// </summary>
    public bool VerifyExistingFiles { get; init; }

    /// <summary>
    /// Receives the bytes received while a file downloads (at most every 100 ms, and at its end), for a
    /// live progress line. Null (the default) reports nothing.
    /// </summary>
    public IProgress<DownloadProgress>? ByteProgress { get; init; }

    /// <summary>True when all four MNIST files are in <paramref name="directory"/>, each gzipped or raw.</summary>
    /// <param name="directory">The folder.</param>
    public static bool HasAllFiles(string directory) =>
        Directory.Exists(directory) && MnistFiles.All.All(f => MnistFiles.TryResolve(directory, f.Name, out _));

    /// <summary>
    /// Makes sure the four MNIST files are in <paramref name="directory"/> (creating it if needed):
    /// files already present, gzipped or raw, are kept; the others are downloaded.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="progress">Receives one line per file: present, downloading, verified.</param>
    /// <param name="cancellationToken">Cancels the downloads.</param>
    /// <exception cref="MnistDataException">A file could not be downloaded with the right content from any mirror, or (with <see cref="VerifyExistingFiles"/>) a present file has the wrong content.</exception>
    public async Task EnsureAsync(string directory, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        foreach (var file in MnistFiles.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (MnistFiles.TryResolve(directory, file.Name, out string existing))
            {
                if (VerifyExistingFiles)
                {
                    await Task.Run(() => MnistFiles.Verify(existing, file), cancellationToken).ConfigureAwait(false);
                    progress?.Report($"{file.Name}: present and verified at {existing}");
                }
                else
                {
                    progress?.Report($"{file.Name}: present at {existing}");
                }
                continue;
            }
            await DownloadAsync(directory, file, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks the MD5 of every MNIST file present in <paramref name="directory"/> (gzipped or raw);
    /// missing files are skipped.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The number of files checked.</returns>
    /// <exception cref="MnistDataException">A file has the wrong content; the message names it, the expected and the actual MD5.</exception>
    public static async Task<int> VerifyExistingAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        int checkedFiles = 0;
        foreach (var file in MnistFiles.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!MnistFiles.TryResolve(directory, file.Name, out string path)) continue;
            await Task.Run(() => MnistFiles.Verify(path, file), cancellationToken).ConfigureAwait(false);
            checkedFiles++;
        }
        return checkedFiles;
    }

    /// <summary>
    /// Downloads <c>{file.Name}.gz</c> into <paramref name="directory"/> from the first mirror that
    /// serves it with the right content, replacing any file of that name.
    /// </summary>
    /// <param name="directory">The folder (must exist).</param>
    /// <param name="file">Which file.</param>
    /// <param name="progress">Receives a line per attempt and when verified.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The path of the downloaded file.</returns>
    /// <exception cref="MnistDataException">No mirror served the right content; the message lists each mirror's failure (HTTP status, or expected and actual MD5).</exception>
    public async Task<string> DownloadAsync(string directory, MnistFile file, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(file);
        string target = Path.Combine(directory, file.GzName);
        var failures = new List<string>();
        Exception? lastError = null;
        foreach (string mirror in Mirrors)
        {
            string url = mirror + file.GzName;
            string temp = Path.Combine(directory, $".{file.GzName}.{Guid.NewGuid():N}.part");
            try
            {
                progress?.Report($"{file.Name}: downloading {url}");
                using (var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        failures.Add($"{url}: HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()})");
                        continue;
                    }
                    await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                    await CopyWithProgressAsync(response, output, file.GzName, cancellationToken).ConfigureAwait(false);
                }

                await Task.Run(() => MnistFiles.Verify(temp, file), cancellationToken).ConfigureAwait(false);
                File.Move(temp, target, overwrite: true);
                progress?.Report($"{file.Name}: verified (MD5 {file.Md5}), saved to {target}");
                return target;
            }
            catch (MnistDataException e)
            {
                // The message starts with the temporary path; keep only what was wrong.
                string problem = e.FilePath != null && e.Message.StartsWith(e.FilePath + ": ", StringComparison.Ordinal)
                    ? e.Message[(e.FilePath.Length + 2)..]
                    : e.Message;
                failures.Add($"{url}: {problem}");
                lastError = e;
            }
            catch (Exception e) when (e is HttpRequestException or IOException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add($"{url}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
                lastError = e;
            }
            finally
            {
                TryDelete(temp);
            }
        }
        throw new MnistDataException(target,
            $"could not download {file.GzName} (MD5 of the decompressed content {file.Md5}) from any mirror: {string.Join("; ", failures)}",
            lastError);
    }

    /// <summary>Copies the response body to <paramref name="output"/>, reporting the bytes received to <see cref="ByteProgress"/> (at most every 100 ms).</summary>
    private async Task CopyWithProgressAsync(HttpResponseMessage response, Stream output, string fileName, CancellationToken cancellationToken)
    {
        if (ByteProgress is not { } progress)
        {
            await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            return;
        }
        long? total = response.Content.Headers.ContentLength;
        await using var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[1 << 16];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long received = 0;
        var lastReport = TimeSpan.Zero;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            received += read;
            if (watch.Elapsed - lastReport >= TimeSpan.FromMilliseconds(100))
            {
                lastReport = watch.Elapsed;
                progress.Report(new DownloadProgress(fileName, received, total, received / Math.Max(1e-3, watch.Elapsed.TotalSeconds)));
            }
        }
        progress.Report(new DownloadProgress(fileName, received, total, received / Math.Max(1e-3, watch.Elapsed.TotalSeconds)));
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover .part file never has the final name.
        }
    }
}
