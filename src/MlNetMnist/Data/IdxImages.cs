namespace MlNetMnist.Data;

/// <summary>The content of an IDX image file: <see cref="Count"/> grayscale images of equal size.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of each image in pixels.</param>
/// <param name="Columns">Width of each image in pixels.</param>
/// <param name="Pixels">
/// All pixel intensities (0-255), image after image, each image row-major: the pixel at
/// (<c>row</c>, <c>column</c>) of image <c>i</c> is at <c>i * Rows * Columns + row * Columns + column</c>.
/// </param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>Pixels per image, <c>Rows * Columns</c>.</summary>
    public int ImageSize => Rows * Columns;
}
