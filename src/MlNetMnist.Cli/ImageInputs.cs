using MlNetMnist.Images;

namespace MlNetMnist.Cli;

/// <summary>One path to predict: a file given or found in a folder, or a path that does not exist.</summary>
/// <param name="Path">The path as given (files found in a folder: the folder as given joined with the file's relative path).</param>
/// <param name="Error">Why it cannot be predicted before even reading it, or null.</param>
internal sealed record ImageInput(string Path, string? Error = null);

/// <summary>Expands the command line's files and folders into image files.</summary>
internal static class ImageInputs
{
    /// <summary>
    /// Files are kept as given (whatever their extension: a file that is not an image is reported when
    /// read); folders are searched recursively for image extensions, in ordinal order; a path that is
    /// neither becomes an input with an error.
    /// </summary>
    public static IReadOnlyList<ImageInput> Expand(IEnumerable<string> paths)
    {
        var inputs = new List<ImageInput>();
        foreach (string path in paths)
        {
            if (File.Exists(path))
            {
                inputs.Add(new ImageInput(path));
            }
            else if (Directory.Exists(path))
            {
                inputs.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(DigitImages.HasImageExtension)
                    .Order(StringComparer.Ordinal)
                    .Select(file => new ImageInput(file)));
            }
            else
            {
                inputs.Add(new ImageInput(path, $"{Path.GetFullPath(path)}: file not found."));
            }
        }
        return inputs;
    }
}
