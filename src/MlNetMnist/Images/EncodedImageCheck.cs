using System.Globalization;
using SkiaSharp;

namespace MlNetMnist.Images;

/// <summary>
/// Refuses encoded images that the decoder reads only in part. SkiaSharp 2.88's <c>SKBitmap.Decode</c>
/// (and so ML.NET's <c>MLImage.CreateFromStream</c> and <c>LoadImages</c>) returns a truncated PNG or
/// JPEG as a whole image whose missing rows are blank or repeated; the codec's own result says
/// <see cref="SKCodecResult.IncompleteInput"/> (the data ends early) or <see cref="SKCodecResult.ErrorInInput"/>
/// (the data is corrupt part-way). Either is an error here, never an image.
/// </summary>
internal static class EncodedImageCheck
{
    /// <summary>Decodes <paramref name="encoded"/> once (to BGRA) and throws when the decoder did not read all of it.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image, or the decoder reports incomplete or corrupt data.</exception>
    public static void RequireComplete(byte[] encoded)
    {
        using var stream = new SKMemoryStream(encoded);
        using var codec = SKCodec.Create(stream) ?? throw NotAnImage(encoded);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Bgra8888, SKAlphaType.Premul);
        if (info.Width < 1 || info.Height < 1) throw NotAnImage(encoded);
        using var bitmap = new SKBitmap(info);
        Require(codec.GetPixels(info, bitmap.GetPixels()), encoded);
    }

    /// <summary>Throws unless <paramref name="result"/> (the codec's answer for <paramref name="encoded"/>) is a success.</summary>
    /// <exception cref="InvalidDataException">The message says what was wrong: truncated, corrupt, or not decodable.</exception>
    public static void Require(SKCodecResult result, byte[] encoded)
    {
        switch (result)
        {
            case SKCodecResult.Success:
                return;
            case SKCodecResult.IncompleteInput:
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"the image is incomplete: its data ends before all of its pixels ({encoded.Length} bytes; a truncated file or upload; decoder result IncompleteInput). Send the whole file."));
            case SKCodecResult.ErrorInInput:
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"the image is corrupt: its data has an error part-way through ({encoded.Length} bytes; decoder result ErrorInInput)."));
            default:
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"the image cannot be decoded ({encoded.Length} bytes; decoder result {result})."));
        }
    }

    /// <summary>The error for bytes no decoder recognises.</summary>
    public static InvalidDataException NotAnImage(byte[] encoded) =>
        new($"not an image that can be decoded (PNG, JPEG, BMP, GIF, WEBP; {encoded.Length} bytes starting {Convert.ToHexString(encoded, 0, Math.Min(8, encoded.Length))}).");
}
