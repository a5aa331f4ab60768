using MlNetMnist.Data;

namespace MlNetMnist.Images;

/// <summary>
/// Refuses, before decoding, encoded images whose header declares more than
/// <see cref="ImageHeader.DefaultMaxPixels"/> pixels (a decompression bomb). Data whose header is not
/// recognised is left to the decoder, which reports what it cannot read.
/// </summary>
internal static class DecompressionBombGuard
{
    public static void Check(byte[] encoded, string name = "image")
    {
        ImageHeader header;
        try
        {
            using var stream = new MemoryStream(encoded, writable: false);
            header = ImageHeader.Read(stream, name);
        }
        catch (InvalidDataException)
        {
            return;
        }
        header.EnsureWithinLimit(name, ImageHeader.DefaultMaxPixels);
    }
}
