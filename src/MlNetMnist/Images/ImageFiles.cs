namespace MlNetMnist.Images;

/// <summary>Expands files and folders given by a user into the image files to read.</summary>
internal static class ImageFiles
{
    /// <summary>
    /// Files are kept as given (whatever their extension: a file that is not an image is reported when
    /// read); folders are searched recursively for image extensions (<see cref="DigitImages.HasImageExtension"/>),
    /// in ordinal order; a path that is neither is returned with an error that names it.
    /// </summary>
    /// <param name="filesOrFolders">Paths of image files or folders.</param>
    /// <returns>Each file with null, or each missing path with why.</returns>
    public static IReadOnlyList<(string Path, string? Error)> Expand(IEnumerable<string> filesOrFolders)
    {
        ArgumentNullException.ThrowIfNull(filesOrFolders);
        var inputs = new List<(string, string?)>();
        foreach (string path in filesOrFolders)
        {
            if (File.Exists(path))
            {
                inputs.Add((path, null));
            }
            else if (Directory.Exists(path))
            {
                inputs.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(DigitImages.HasImageExtension)
                    .Order(StringComparer.Ordinal)
                    .Select(file => (file, (string?)null)));
            }
            else
            {
                inputs.Add((path, $"{Path.GetFullPath(path)}: file not found."));
            }
        }
        return inputs;
    }
}
