using System.IO.Compression;
using MlNetMnist.Data;

namespace MlNetMnist.Samples.Tests;

/// <summary>MNIST for the sample tests, and a minimal gray PNG writer of its own.</summary>
internal static class SampleData
{
    /// <summary><c>MNIST_DATA_DIR</c>, else <c>../shared/data/mnist</c> next to the repository, else <c>data/mnist</c> in it.</summary>
    public static string MnistDirectory { get; } = FindMnist();

    public static string NewTempDirectory(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>An 8-bit grayscale PNG of <paramref name="gray"/> (row-major).</summary>
    public static byte[] Png(ReadOnlySpan<byte> gray, int width, int height)
    {
        var raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++) gray.Slice(y * width, width).CopyTo(raw.AsSpan(y * (width + 1) + 1));
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (gray)
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary><paramref name="gray"/> (row-major) encoded with SkiaSharp, e.g. as JPEG.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> gray, int width, int height, SkiaSharp.SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        var rows = gray.ToArray();
        for (int y = 0; y < height; y++)
            System.Runtime.InteropServices.Marshal.Copy(rows, y * width, bitmap.GetPixels() + y * bitmap.RowBytes, width);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Nearest-neighbour enlargement by an integer factor.</summary>
    public static byte[] Enlarge(ReadOnlySpan<byte> gray, int width, int height, int factor)
    {
        var result = new byte[width * factor * height * factor];
        for (int y = 0; y < height * factor; y++)
            for (int x = 0; x < width * factor; x++)
                result[y * width * factor + x] = gray[y / factor * width + x / factor];
        return result;
    }

    /// <summary>A light-on-dark digit drawn dark (ink 30) on a grey (170) canvas of <paramref name="canvasWidth"/> x <paramref name="canvasHeight"/> at (<paramref name="x"/>, <paramref name="y"/>), as a PNG.</summary>
    public static byte[] OnGreyCanvas(ReadOnlySpan<byte> digit, int width, int height, int canvasWidth, int canvasHeight, int x, int y)
    {
        var canvas = new byte[canvasWidth * canvasHeight];
        Array.Fill(canvas, (byte)170);
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                double a = digit[v * width + u] / 255.0;
                canvas[(y + v) * canvasWidth + x + u] = (byte)Math.Round(170 * (1 - a) + 30 * a);
            }
        return Png(canvas, canvasWidth, canvasHeight);
    }

    /// <summary>Test digits <paramref name="indices"/> side by side, dark on white, <paramref name="gap"/> pixels apart with a margin of 12.</summary>
    public static (byte[] Gray, int Width, int Height) Row(byte[] pixels, int[] indices, int width, int height, int gap)
    {
        int margin = 12, w = 2 * margin + indices.Length * width + (indices.Length - 1) * gap, h = 2 * margin + height;
        var canvas = new byte[w * h];
        Array.Fill(canvas, (byte)255);
        for (int k = 0; k < indices.Length; k++)
            for (int v = 0; v < height; v++)
                for (int u = 0; u < width; u++)
                    canvas[(margin + v) * w + margin + k * (width + gap) + u] = (byte)(255 - pixels[indices[k] * width * height + v * width + u]);
        return (canvas, w, h);
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var buffer = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        png.Write(buffer);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32(typeAndData));
        png.Write(buffer);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    private static string FindMnist()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MNIST_DATA_DIR");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "MlNetMnist.sln"))) continue;
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "..", "shared", "data", "mnist"), Path.Combine(dir.FullName, "data", "mnist") })
                if (MnistDownloader.HasAllFiles(candidate)) return Path.GetFullPath(candidate);
        }
        throw new InvalidOperationException("MNIST not found: set MNIST_DATA_DIR or put the four IDX files in ../shared/data/mnist or data/mnist.");
    }
}
