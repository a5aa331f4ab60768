using MlNetMnist.Images;

namespace MlNetMnist.Data;

/// <summary>
/// A labelled image set stored as a folder tree <c>root/&lt;label&gt;/*.png|jpg|...</c>: every folder
/// directly under the root is a class (any name, any number of classes), and every image file below it
/// (subfolders included) is an example of that class.
/// </summary>
public static class ImageFolder
{
    /// <summary>
    /// The images under <paramref name="root"/>, ordered by label and then by path (ordinal), so the
    /// same tree always gives the same rows. Files without an image extension
    /// (<see cref="DigitImages.Extensions"/>) and files directly in the root are ignored.
    /// </summary>
    /// <param name="root">The root folder.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">The root has no class folder with an image in it.</exception>
    public static IReadOnlyList<ImageFolderEntry> Enumerate(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"image folder not found: {full} (expected {full}/<label>/*.png|jpg)");

        var entries = new List<ImageFolderEntry>();
        foreach (string classFolder in Directory.EnumerateDirectories(full).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            entries.AddRange(Directory.EnumerateFiles(classFolder, "*", SearchOption.AllDirectories)
                .Where(DigitImages.HasImageExtension)
                .Order(StringComparer.Ordinal)
                .Select(path => new ImageFolderEntry(path, label)));
        }
        if (entries.Count == 0)
            throw new InvalidDataException(
                $"{full}: no images found; expected one folder per class with image files ({string.Join(", ", DigitImages.Extensions)}) in it, e.g. {Path.Combine(full, "cat", "1.png")}");
        return entries;
    }

    /// <summary>The distinct labels of <paramref name="entries"/> in ordinal order.</summary>
    /// <param name="entries">Images of a folder tree.</param>
    public static IReadOnlyList<string> Labels(IEnumerable<ImageFolderEntry> entries) =>
        entries.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Decodes every image once and lists those that cannot be read, each as <c>path: problem</c>.
    /// </summary>
    /// <param name="entries">Images of a folder tree.</param>
    /// <returns>One line per unreadable file; empty when all decode.</returns>
    public static IReadOnlyList<string> FindUnreadable(IEnumerable<ImageFolderEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var problems = new List<string>();
        foreach (var entry in entries)
        {
            try
            {
                DigitImages.Validate(entry.ImagePath);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
            {
                problems.Add(e.Message);
            }
        }
        return problems;
    }
}
