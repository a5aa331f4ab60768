using Microsoft.ML.Data;

namespace MlNetMnist.Images;

/// <summary>Loading, decoding and creating the images that digit models read.</summary>
public static class DigitImages
{
    /// <summary>File extensions taken as images when a folder is searched (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>True when <paramref name="path"/> has one of the <see cref="Extensions"/> (case-insensitive).</summary>
    /// <param name="path">A file path or name.</param>
    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Reads the bytes of the image file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="fullPath">The full path, for messages.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The path is a folder, or the file cannot be read; the message names it.</exception>
    internal static byte[] ReadFile(string path, out string fullPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath)) throw new InvalidDataException($"{fullPath}: is a folder, not an image file.");
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"{fullPath}: file not found.", fullPath);
        try
        {
            return File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{fullPath}: cannot read the file: {e.Message}", e);
        }
    }

    /// <summary>Decodes the image file at <paramref name="path"/> once, to check that it is an image; throws like <see cref="Load"/> when not.</summary>
    internal static void Validate(string path)
    {
        byte[] bytes = ReadFile(path, out string full);
        try
        {
            GrayImage.Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty or not an image the decoder reads; the message names it.</exception>
    public static MLImage Load(string path)
    {
        byte[] bytes = ReadFile(path, out string full);
        try
        {
            return Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, GIF, WEBP).</summary>
    /// <param name="encoded">The encoded bytes.</param>
    /// <returns>The image; the caller disposes it.</returns>
    /// <exception cref="InvalidDataException">The bytes are empty or not an image the decoder reads.</exception>
    public static MLImage Decode(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0) throw new InvalidDataException("the file is empty; expected an image (PNG, JPEG, BMP, GIF, WEBP).");
        DecompressionBombGuard.Check(encoded);
        EncodedImageCheck.RequireComplete(encoded);
        try
        {
            using var stream = new MemoryStream(encoded, writable: false);
            return MLImage.CreateFromStream(stream);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"not an image that can be decoded (PNG, JPEG, BMP, GIF, WEBP; {encoded.Length} bytes starting {Convert.ToHexString(encoded, 0, Math.Min(8, encoded.Length))}).", e);
        }
    }

    /// <summary>
    /// A gray image made from raw values (0-255, row-major), for example a network input, as an opaque
    /// BGRA <see cref="MLImage"/> that can be saved with <see cref="MLImage.Save"/> (PNG or JPEG by extension).
    /// </summary>
    /// <param name="gray">The values; each is rounded and clamped to 0-255.</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <returns>The image; the caller disposes it.</returns>
    public static MLImage FromGray(ReadOnlySpan<float> gray, int width, int height)
    {
        if (width < 1 || height < 1 || gray.Length != width * height)
            throw new ArgumentException($"{gray.Length} values do not make a {width}x{height} image.", nameof(gray));
        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, GrayImage.ToBgra(gray));
    }
}
