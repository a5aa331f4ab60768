using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using SkiaSharp;

namespace MlNetMnist.Images;

/// <summary>
/// Turns a colour image into the pixel vector of a 3-channel (RGB) network: resized to the model's
/// width and height (area averaging, the whole image stretched like <c>ResizeImages</c>' <c>Fill</c>),
/// then three planes of row-major pixels in the order red, green, blue, raw values 0-255 (the layout
/// of ML.NET's <c>ExtractPixels</c> with <c>interleavePixelColors: false</c>, and of
/// <c>DigitImageInput</c> with <see cref="DigitImageInputOptions.KeepColor"/>). Transparent pixels are
/// composed over white. No digit centring: that is for grayscale digits (<see cref="DigitImagePreprocessor"/>).
/// </summary>
internal sealed class ColorImagePixels(int width, int height)
{
    /// <summary>Values per image: 3 x height x width.</summary>
    public int OutputSize => 3 * width * height;

    public float[] Process(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        if (!bgra && image.PixelFormat != MLPixelFormat.Rgba32)
            throw new NotSupportedException($"Images with pixel format {image.PixelFormat} are not supported.");
        return FromPixels(image.Pixels, image.Width, image.Height, bgra);
    }

    public float[] Process(ReadOnlySpan<byte> encoded) => Decode(encoded.ToArray());

    public float[] ProcessFile(string path)
    {
        byte[] bytes = DigitImages.ReadFile(path, out string full);
        try
        {
            return Decode(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    private float[] Decode(byte[] encoded)
    {
        if (encoded.Length == 0) throw new InvalidDataException("the file is empty; expected an image (PNG, JPEG, BMP, GIF, WEBP).");
        DecompressionBombGuard.Check(encoded);
        using var stream = new SKMemoryStream(encoded);
        using var codec = SKCodec.Create(stream) ?? throw NotAnImage(encoded);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        if (info.Width < 1 || info.Height < 1) throw NotAnImage(encoded);
        using var bitmap = SKBitmap.Decode(codec, info) ?? throw NotAnImage(encoded);
        var bytes = new byte[info.Width * info.Height * 4];
        int rowLength = info.Width * 4;
        for (int y = 0; y < info.Height; y++)
            Marshal.Copy(bitmap.GetPixels() + y * bitmap.RowBytes, bytes, y * rowLength, rowLength);
        return FromPixels(bytes, info.Width, info.Height, bgra: true);
    }

    /// <summary>Planar RGB at the model's size from 4-byte pixels (BGRA or RGBA, premultiplied alpha).</summary>
    internal float[] FromPixels(ReadOnlySpan<byte> pixels, int sourceWidth, int sourceHeight, bool bgra)
    {
        if (pixels.Length < sourceWidth * sourceHeight * 4)
            throw new InvalidDataException($"The image has {pixels.Length} bytes of pixels; a {sourceWidth}x{sourceHeight} image of 4 bytes per pixel needs {sourceWidth * sourceHeight * 4}.");
        int count = sourceWidth * sourceHeight;
        var planes = new[] { new float[count], new float[count], new float[count] };
        for (int i = 0; i < count; i++)
        {
            int p = i * 4;
            byte r = bgra ? pixels[p + 2] : pixels[p], g = pixels[p + 1], b = bgra ? pixels[p] : pixels[p + 2];
            float white = 255f - pixels[p + 3]; // premultiplied colour over white
            planes[0][i] = Math.Min(255f, r + white);
            planes[1][i] = Math.Min(255f, g + white);
            planes[2][i] = Math.Min(255f, b + white);
        }
        var output = new float[OutputSize];
        int plane = width * height;
        for (int c = 0; c < 3; c++)
            AreaResampler.Resize(new GrayImage(sourceWidth, sourceHeight, planes[c]), width, height).Values.CopyTo(output, c * plane);
        return output;
    }

    private static InvalidDataException NotAnImage(byte[] encoded) =>
        new($"not an image that can be decoded (PNG, JPEG, BMP, GIF, WEBP; {encoded.Length} bytes starting {Convert.ToHexString(encoded, 0, Math.Min(8, encoded.Length))}).");
}
