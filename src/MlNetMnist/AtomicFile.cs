namespace MlNetMnist;

/// <summary>
/// Writes a file atomically: the content goes to a temporary file in the target's folder, which is
/// flushed and then renamed over the target. On any failure the temporary file is deleted and an
/// existing file at the target path is left as it was.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes the content produced by <paramref name="write"/> to <paramref name="path"/> atomically, creating the folder if needed.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the whole content to the stream it is given (which it must not dispose early).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
        if (Directory.Exists(full))
            throw new IOException($"{full}: is a folder; expected a file path.");
        Directory.CreateDirectory(directory);
        string temp = TempPath(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>The temporary file used for <paramref name="fullPath"/>: hidden, in the same folder, unique.</summary>
    internal static string TempPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file never has the target's name.
        }
    }
}
