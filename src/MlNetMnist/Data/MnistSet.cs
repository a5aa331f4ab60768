namespace MlNetMnist.Data;

/// <summary>One MNIST split (or its first rows) as raw arrays.</summary>
/// <param name="Labels">One digit (0-9) per image.</param>
/// <param name="Pixels">Pixel intensities (0-255), image after image, each row-major (see <see cref="IdxImages.Pixels"/>).</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height in pixels.</param>
/// <param name="Columns">Image width in pixels.</param>
public sealed record MnistSet(byte[] Labels, byte[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Pixels per image, <c>Rows * Columns</c>.</summary>
    public int ImageSize => Rows * Columns;

    /// <summary>
    /// An ML.NET view over these arrays (not copied, except the labels, widened to <see cref="uint"/>).
    /// </summary>
    /// <param name="labelColumnName">Name of the label column.</param>
    /// <param name="featureColumnName">Name of the features column.</param>
    public InMemoryImageDataView ToDataView(string labelColumnName = DefaultColumnNames.Label,
        string featureColumnName = DefaultColumnNames.Features)
    {
        var labels = new uint[Labels.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = Labels[i];
        return new InMemoryImageDataView(Pixels, ImageSize, labels, labelColumnName, featureColumnName);
    }
}
