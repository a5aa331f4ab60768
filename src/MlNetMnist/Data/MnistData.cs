using Microsoft.ML;

namespace MlNetMnist.Data;

/// <summary>
/// Loads an MNIST split from a folder holding the IDX files (gzipped or raw, see
/// <see cref="MnistFiles.Resolve"/>), as an ML.NET <see cref="IDataView"/> or as raw arrays.
/// </summary>
public static class MnistData
{
    /// <summary>
    /// Loads a split as an <see cref="IDataView"/> with the columns <c>Label</c> (<see cref="uint"/>
    /// scalar, the digit) and <c>Features</c> (known-size vector of <c>Rows * Columns</c> = 784
    /// <see cref="float"/>: the raw pixel intensities 0-255, row-major, as ML.NET's <c>ExtractPixels</c>
    /// gives them for a grayscale 28x28 image).
    /// </summary>
    /// <param name="ml">The ML.NET context the view is for.</param>
    /// <param name="dataDirectory">Folder with the MNIST files.</param>
    /// <param name="split">Training or test.</param>
    /// <param name="maxRows">Load only the first this many rows; null for all.</param>
    /// <exception cref="MnistDataException">A file is missing or invalid, or the image and label files disagree on the count.</exception>
    public static IDataView Load(MLContext ml, string dataDirectory, MnistSplit split, int? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return LoadSet(dataDirectory, split, maxRows).ToDataView();
    }

    /// <summary>Loads a split (or its first <paramref name="maxRows"/> rows) as raw arrays.</summary>
    /// <param name="dataDirectory">Folder with the MNIST files.</param>
    /// <param name="split">Training or test.</param>
    /// <param name="maxRows">Load only the first this many rows; null for all.</param>
    /// <exception cref="MnistDataException">A file is missing or invalid, or the image and label files disagree on the count.</exception>
    public static MnistSet LoadSet(string dataDirectory, MnistSplit split, int? maxRows = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (maxRows is < 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must not be negative.");

        string imagesPath = MnistFiles.Resolve(dataDirectory, MnistFiles.Images(split).Name);
        string labelsPath = MnistFiles.Resolve(dataDirectory, MnistFiles.Labels(split).Name);
        IdxImages images = IdxReader.ReadImages(imagesPath);
        byte[] labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new MnistDataException(imagesPath,
                $"{images.Count} images, but {labelsPath} has {labels.Length} labels; expected one label per image");

        int count = Math.Min(images.Count, maxRows ?? int.MaxValue);
        byte[] pixels = images.Pixels;
        if (count < images.Count)
        {
            pixels = images.Pixels.AsSpan(0, count * images.ImageSize).ToArray();
            labels = labels.AsSpan(0, count).ToArray();
        }
        return new MnistSet(labels, pixels, count, images.Rows, images.Columns);
    }
}
