using SkiaSharp;

namespace MlNetMnist.Reports;

/// <summary>Encodes the pixel arrays of a report (<see cref="MisclassifiedExample.Pixels"/>, <see cref="LabelledImage.Pixels"/>) as PNG with SkiaSharp.</summary>
public static class ReportImages
{
    /// <summary>
    /// The image as PNG bytes: grayscale for one channel, RGB for three (planar, as ML.NET's
    /// <c>ExtractPixels</c> gives them), the first channel as grayscale otherwise.
    /// </summary>
    /// <param name="pixels">The pixels, <paramref name="shape"/>.<see cref="ImageShape.Size"/> of them.</param>
    /// <param name="shape">The image shape.</param>
    /// <exception cref="ArgumentException">The number of pixels is not the shape's size.</exception>
    public static byte[] ToPng(ReadOnlySpan<byte> pixels, ImageShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (pixels.Length != shape.Size)
            throw new ArgumentException($"{pixels.Length} pixels given for a {shape} image ({shape.Size} expected).", nameof(pixels));
        int plane = shape.Height * shape.Width;
        bool rgb = shape.Channels == 3;
        var info = new SKImageInfo(shape.Width, shape.Height, rgb ? SKColorType.Rgba8888 : SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        // Writable pixels through the pixmap: SKBitmap.GetPixelSpan() is read-only in SkiaSharp 2.88.
        using var pixmap = bitmap.PeekPixels();
        var target = pixmap.GetPixelSpan<byte>();
        if (rgb)
        {
            for (int i = 0; i < plane; i++)
            {
                target[4 * i] = pixels[i];
                target[4 * i + 1] = pixels[plane + i];
                target[4 * i + 2] = pixels[2 * plane + i];
                target[4 * i + 3] = 255;
            }
        }
        else
        {
            for (int y = 0; y < shape.Height; y++)
                pixels.Slice(y * shape.Width, shape.Width).CopyTo(target.Slice(y * bitmap.RowBytes, shape.Width));
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the image as PNG.");
        return data.ToArray();
    }

    /// <summary>The image as a <c>data:image/png;base64,...</c> URI, for embedding in HTML.</summary>
    /// <param name="pixels">The pixels.</param>
    /// <param name="shape">The image shape.</param>
    public static string ToDataUri(ReadOnlySpan<byte> pixels, ImageShape shape) => PngDataUri(ToPng(pixels, shape));

    /// <summary>A <c>data:image/png;base64,...</c> URI of PNG bytes.</summary>
    /// <param name="png">The PNG file's bytes.</param>
    public static string PngDataUri(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
