using System.Security.Cryptography;

namespace MlNetMnist.Data;

/// <summary>
/// The four MNIST files: names, decompressed sizes and MD5s (the canonical values torchvision
/// checks), and how to find them in a folder (<c>{name}.gz</c> or the raw <c>{name}</c>).
/// </summary>
public static class MnistFiles
{
    /// <summary>The 60,000 training images.</summary>
    public static MnistFile TrainImages { get; } = new("train-images-idx3-ubyte", 47_040_016, "6bbc9ace898e44ae57da46a324031adb");

    /// <summary>The 60,000 training labels.</summary>
    public static MnistFile TrainLabels { get; } = new("train-labels-idx1-ubyte", 60_008, "a25bea736e30d166cdddb491f175f624");

    /// <summary>The 10,000 test images.</summary>
    public static MnistFile TestImages { get; } = new("t10k-images-idx3-ubyte", 7_840_016, "2646ac647ad5339dbf082846283269ea");

    /// <summary>The 10,000 test labels.</summary>
    public static MnistFile TestLabels { get; } = new("t10k-labels-idx1-ubyte", 10_008, "27ae3e4e09519cfbb04c329615203637");

    /// <summary>All four files: training images and labels, then test images and labels.</summary>
    public static IReadOnlyList<MnistFile> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The image file of <paramref name="split"/>.</summary>
    /// <param name="split">Training or test.</param>
    public static MnistFile Images(MnistSplit split) => split switch
    {
        MnistSplit.Train => TrainImages,
        MnistSplit.Test => TestImages,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown MNIST split."),
    };

    /// <summary>The label file of <paramref name="split"/>.</summary>
    /// <param name="split">Training or test.</param>
    public static MnistFile Labels(MnistSplit split) => split switch
    {
        MnistSplit.Train => TrainLabels,
        MnistSplit.Test => TestLabels,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown MNIST split."),
    };

    /// <summary>
    /// The path of <paramref name="baseName"/> in <paramref name="directory"/>: <c>{baseName}.gz</c>
    /// if it exists, else the raw <c>{baseName}</c>.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="baseName">The file name without <c>.gz</c>, e.g. <c>t10k-labels-idx1-ubyte</c>.</param>
    /// <exception cref="MnistDataException">Neither file exists; the message names both.</exception>
    public static string Resolve(string directory, string baseName)
    {
        if (TryResolve(directory, baseName, out string path)) return path;
        string gz = Path.Combine(directory, baseName + ".gz"), raw = Path.Combine(directory, baseName);
        throw new MnistDataException(gz, $"file not found, and neither is {raw}",
            new FileNotFoundException($"Could not find '{gz}' or '{raw}'.", gz));
    }

    /// <summary>
    /// Finds <c>{baseName}.gz</c> or, failing that, <c>{baseName}</c> in <paramref name="directory"/>.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="baseName">The file name without <c>.gz</c>.</param>
    /// <param name="path">The path found, or the <c>.gz</c> path when neither exists.</param>
    /// <returns>True when one of the two files exists.</returns>
    public static bool TryResolve(string directory, string baseName, out string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(baseName);
        string gz = Path.Combine(directory, baseName + ".gz");
        string raw = Path.Combine(directory, baseName);
        path = File.Exists(gz) || !File.Exists(raw) ? gz : raw;
        return File.Exists(path);
    }

    /// <summary>
    /// MD5 (lowercase hex) of the content of <paramref name="path"/>, decompressed first when the file
    /// is gzipped (recognised by its magic bytes).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="MnistDataException">The file is missing, empty, or a truncated or corrupt gzip stream.</exception>
    public static string ComputeMd5(string path) => Md5Hex(IdxFileBytes.Read(path, out _));

    /// <summary>
    /// Checks that the decompressed content of <paramref name="path"/> has the size and MD5 of <paramref name="file"/>.
    /// </summary>
    /// <param name="path">The file to check, gzipped or raw.</param>
    /// <param name="file">What it should be.</param>
    /// <exception cref="MnistDataException">The content differs; the message names the file, the expected and the actual MD5.</exception>
    public static void Verify(string path, MnistFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        byte[] content = IdxFileBytes.Read(path, out _);
        string md5 = Md5Hex(content);
        if (md5 != file.Md5 || content.Length != file.Size)
            throw new MnistDataException(path,
                $"not {file.Name}: MD5 of the decompressed content is {md5} ({content.Length} bytes), expected {file.Md5} ({file.Size} bytes)");
    }

#pragma warning disable CA5351 // MD5 is what MNIST's publishers list: a checksum against corruption, not a security measure.
    private static string Md5Hex(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));
#pragma warning restore CA5351
}
