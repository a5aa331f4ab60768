using System.Runtime.InteropServices;
using SkiaSharp;

namespace MlNetMnist.Tests.Shared;

/// <summary>Writes gray test images (PNG, JPEG) with SkiaSharp, independently of the code under test.</summary>
internal static class TestImages
{
    /// <summary>Encodes <paramref name="gray"/> (row-major bytes) as an 8-bit gray PNG or JPEG.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> gray, int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        using var bitmap = ToBitmap(gray, width, height);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Writes <paramref name="gray"/> to <paramref name="path"/> (format by extension: .png or .jpg).</summary>
    public static void Write(string path, ReadOnlySpan<byte> gray, int width, int height, int quality = 100)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() is ".jpg" or ".jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        File.WriteAllBytes(path, Encode(gray, width, height, format, quality));
    }

    /// <summary><paramref name="gray"/> scaled to <paramref name="size"/> x <paramref name="size"/> with bilinear interpolation.</summary>
    public static byte[] Scale(ReadOnlySpan<byte> gray, int width, int height, int size)
    {
        var result = new byte[size * size];
        for (int y = 0; y < size; y++)
        {
            double sy = Math.Clamp((y + 0.5) * height / size - 0.5, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int x = 0; x < size; x++)
            {
                double sx = Math.Clamp((x + 0.5) * width / size - 0.5, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, width - 1);
                double fx = sx - x0;
                double top = gray[y0 * width + x0] * (1 - fx) + gray[y0 * width + x1] * fx;
                double bottom = gray[y1 * width + x0] * (1 - fx) + gray[y1 * width + x1] * fx;
                result[y * size + x] = (byte)Math.Round(top * (1 - fy) + bottom * fy);
            }
        }
        return result;
    }

    /// <summary>255 - v for every pixel.</summary>
    public static byte[] Invert(ReadOnlySpan<byte> gray)
    {
        var result = new byte[gray.Length];
        for (int i = 0; i < gray.Length; i++) result[i] = (byte)(255 - gray[i]);
        return result;
    }

    private static SKBitmap ToBitmap(ReadOnlySpan<byte> gray, int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var rows = gray.ToArray();
        for (int y = 0; y < height; y++)
            Marshal.Copy(rows, y * width, bitmap.GetPixels() + y * bitmap.RowBytes, width);
        return bitmap;
    }

    /// <summary>A 200x200 dark-on-light digit-like image (a ring) encoded as PNG or JPEG, cut to half its length: a truncated upload.</summary>
    public static byte[] Truncated(SKEncodedImageFormat format)
    {
        var gray = new byte[200 * 200];
        for (int y = 0; y < 200; y++)
            for (int x = 0; x < 200; x++)
            {
                double r = Math.Sqrt((x - 100) * (x - 100) + (y - 100) * (y - 100));
                gray[y * 200 + x] = (byte)(r > 50 && r < 70 ? 0 : 255);
            }
        var whole = Encode(gray, 200, 200, format, quality: 90);
        return whole.AsSpan(0, whole.Length / 2).ToArray();
    }

    /// <summary>Blank images: 1x1 white, 3000x3000 black and 50x50 fully transparent PNGs, and a blank white JPEG page.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Blanks()
    {
        static byte[] Solid(int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Unpremul));
            bitmap.Erase(color);
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(format, 70);
            return data.ToArray();
        }
        return
        [
            ("white 1x1", Solid(1, 1, SKColors.White)),
            ("black 3000x3000", Solid(3000, 3000, SKColors.Black)),
            ("transparent 50x50", Solid(50, 50, SKColors.Transparent)),
            ("white page 280x280 JPEG", Solid(280, 280, SKColors.White, SKEncodedImageFormat.Jpeg)),
        ];
    }

    /// <summary>The signature and IHDR chunk of a PNG of the given size (no pixel data).</summary>
    internal static byte[] PngHeader(int width, int height)
    {
        var size = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(size, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(size.AsSpan(4), height);
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, .. size, 8, 0, 0, 0, 0, 0, 0, 0, 0];
    }
}
