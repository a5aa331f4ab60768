using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using SkiaSharp;

namespace MlNetMnist.Images;

/// <summary>A grayscale image as floats (0-255), row-major.</summary>
internal sealed class GrayImage
{
    public GrayImage(int width, int height, float[] values)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is not valid.");
        if (values.Length != width * height) throw new ArgumentException($"{values.Length} values do not make a {width}x{height} image.", nameof(values));
        Width = width;
        Height = height;
        Values = values;
    }

    public int Width { get; }

    public int Height { get; }

    public float[] Values { get; }

    public float this[int x, int y]
    {
        get => Values[y * Width + x];
        set => Values[y * Width + x] = value;
    }

    /// <summary>
    /// The gray values of <paramref name="image"/> (BGRA or RGBA, 8 bits per channel, premultiplied
    /// alpha as ML.NET decodes it); see <see cref="FromPixels"/>.
    /// </summary>
    public static GrayImage From(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        if (!bgra && image.PixelFormat != MLPixelFormat.Rgba32)
            throw new NotSupportedException($"Images with pixel format {image.PixelFormat} are not supported.");
        try
        {
            return FromPixels(image.Pixels, image.Width, image.Height, bgra);
        }
        catch (MissingMethodException)
        {
            // MLImage.Pixels calls SKBitmap.GetPixelSpan(), whose signature changed in SkiaSharp 3: when a
            // newer SkiaSharp is loaded, take the pixels through a PNG encoding (public API that still works).
            string temp = Path.Combine(Path.GetTempPath(), $"mlnetmnist-{Guid.NewGuid():N}.png");
            try
            {
                image.Save(temp);
                return Decode(File.ReadAllBytes(temp));
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Decodes an encoded image (PNG, JPEG, BMP, GIF, WEBP) with SkiaSharp directly, through the API that
    /// SkiaSharp 2.88 and 3.x share (ML.NET's <see cref="MLImage.Pixels"/> needs SkiaSharp 2.x).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are empty or not an image the decoder reads.</exception>
    public static GrayImage Decode(byte[] encoded)
    {
        if (encoded.Length == 0) throw new InvalidDataException("the file is empty; expected an image (PNG, JPEG, BMP, GIF, WEBP).");
        DecompressionBombGuard.Check(encoded);
        using var stream = new SKMemoryStream(encoded);
        using var codec = SKCodec.Create(stream) ?? throw NotAnImage(encoded);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        if (info.Width < 1 || info.Height < 1) throw NotAnImage(encoded);
        var bytes = new byte[info.Width * info.Height * 4];
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            // Not SKBitmap.Decode: it returns the part of a truncated image that was decoded (the rest left
            // blank or filled with the last row) as if it were the whole image.
            EncodedImageCheck.Require(codec.GetPixels(info, handle.AddrOfPinnedObject()), encoded);
        }
        finally
        {
            handle.Free();
        }
        return FromPixels(bytes, info.Width, info.Height, bgra: true);
    }

    /// <summary>Opaque 8-bit BGRA pixels of gray values (0-255, row-major), each rounded and clamped to 0-255.</summary>
    public static byte[] ToBgra(ReadOnlySpan<float> gray)
    {
        var bgra = new byte[gray.Length * 4];
        for (int i = 0; i < gray.Length; i++)
        {
            byte v = (byte)Math.Clamp(Math.Round(gray[i]), 0, 255);
            bgra[i * 4] = v;
            bgra[i * 4 + 1] = v;
            bgra[i * 4 + 2] = v;
            bgra[i * 4 + 3] = 255;
        }
        return bgra;
    }

    /// <summary>
    /// Gray values of 8-bit BGRA or RGBA pixels with premultiplied alpha: luma 0.299 R + 0.587 G + 0.114 B
    /// rounded to whole values, with transparent parts composited over white (paper).
    /// </summary>
    public static GrayImage FromPixels(ReadOnlySpan<byte> pixels, int width, int height, bool bgra)
    {
        if (pixels.Length < width * height * 4)
            throw new InvalidDataException($"The image has {pixels.Length} bytes of pixels; a {width}x{height} image of 4 bytes per pixel needs {width * height * 4}.");
        var values = new float[width * height];
        for (int i = 0; i < values.Length; i++)
        {
            int p = i * 4;
            byte r = bgra ? pixels[p + 2] : pixels[p], g = pixels[p + 1], b = bgra ? pixels[p] : pixels[p + 2], a = pixels[p + 3];
            double gray = r == g && g == b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
            if (a < 255) gray += 255.0 - a; // premultiplied colour over white
            values[i] = (float)Math.Round(Math.Clamp(gray, 0, 255));
        }
        return new GrayImage(width, height, values);
    }

    private static InvalidDataException NotAnImage(byte[] encoded) =>
        new($"not an image that can be decoded (PNG, JPEG, BMP, GIF, WEBP; {encoded.Length} bytes starting {Convert.ToHexString(encoded, 0, Math.Min(8, encoded.Length))}).");

    /// <summary>Mean of the outer ring of pixels <paramref name="ring"/> wide.</summary>
    public float BorderMean(int ring)
    {
        ring = Math.Max(1, Math.Min(ring, Math.Min(Width, Height) / 2));
        double sum = 0;
        long count = 0;
        for (int y = 0; y < Height; y++)
        {
            bool edgeRow = y < ring || y >= Height - ring;
            for (int x = 0; x < Width; x++)
            {
                if (edgeRow || x < ring || x >= Width - ring)
                {
                    sum += Values[y * Width + x];
                    count++;
                }
            }
        }
        return count == 0 ? 0 : (float)(sum / count);
    }

    /// <summary>This image inverted, <c>255 - v</c>, in place.</summary>
    public void Invert()
    {
        for (int i = 0; i < Values.Length; i++) Values[i] = 255f - Values[i];
    }

    /// <summary>The rectangle (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>, <paramref name="height"/>) as a new image.</summary>
    public GrayImage Crop(int x, int y, int width, int height)
    {
        var values = new float[width * height];
        for (int row = 0; row < height; row++)
            Array.Copy(Values, (y + row) * Width + x, values, row * width, width);
        return new GrayImage(width, height, values);
    }
}
