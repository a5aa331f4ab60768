using System.Buffers.Binary;
using MlNetMnist.Data;
using SkiaSharp;

namespace MlNetMnist.Tests.Data;

/// <summary>The image header reader and its pixel-limit guard against decompression bombs.</summary>
public sealed class ImageHeaderTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-imageheader");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A real image encoded by SkiaSharp (independent of the code under test).</summary>
    private static byte[] Encode(SKEncodedImageFormat format, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(30, 200, 90));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, ImageFileFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg, ImageFileFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp, ImageFileFormat.WebP)]
    public void ReadsTheSizeOfRealImagesWithoutDecodingThem(SKEncodedImageFormat encoding, ImageFileFormat expected)
    {
        string path = Write("image." + encoding, Encode(encoding, 37, 21));
        var header = ImageHeader.Read(path);
        Assert.Equal((expected, 37, 21, 777L), (header.Format, header.Width, header.Height, header.PixelCount));
        Assert.Equal($"{expected} 37x21", header.ToString());
    }

    [Fact]
    public void ReadsJpegSizesBehindLargeMetadataSegments()
    {
        byte[] jpeg = Encode(SKEncodedImageFormat.Jpeg, 40, 30);
        // An APP1 segment of 60,000 bytes (like a big EXIF block) and fill bytes before the frame header.
        byte[] app1 = [0xFF, 0xE1, .. BigEndian16(60_002), .. new byte[60_000], 0xFF];
        byte[] withMetadata = [.. jpeg[..2], .. app1, .. jpeg[2..]];
        Assert.Equal((40, 30), Size(ImageHeader.Read(Write("exif.jpg", withMetadata))));
    }

    [Fact]
    public void ReadsBmpAndGifHeaders()
    {
        byte[] bmp = [(byte)'B', (byte)'M', .. new byte[12], .. LittleEndian32(40), .. LittleEndian32(640), .. LittleEndian32(-480), .. new byte[30]];
        var header = ImageHeader.Read(Write("top-down.bmp", bmp));
        Assert.Equal((ImageFileFormat.Bmp, 640, 480), (header.Format, header.Width, header.Height));

        byte[] core = [(byte)'B', (byte)'M', .. new byte[12], .. LittleEndian32(12), 10, 0, 20, 0, 1, 0, 24, 0];
        Assert.Equal((10, 20), Size(ImageHeader.Read(Write("core.bmp", core))));

        byte[] gif = [.. "GIF89a"u8, 0x2C, 0x01, 0xC8, 0x00, 0xF7, 0, 0];
        header = ImageHeader.Read(Write("image.gif", gif));
        Assert.Equal((ImageFileFormat.Gif, 300, 200), (header.Format, header.Width, header.Height));
    }

    [Fact]
    public void AStreamIsPutBackWhereItWasSoThatTheImageCanBeDecodedFromIt()
    {
        byte[] png = Encode(SKEncodedImageFormat.Png, 12, 9);
        using var stream = new MemoryStream([0xAA, 0xBB, .. png]);
        stream.Position = 2;
        Assert.Equal((12, 9), Size(ImageHeader.ReadWithinLimit(stream, "upload.png", maxPixels: 108)));
        Assert.Equal(2, stream.Position);
        using var decoded = SKBitmap.Decode(stream);
        Assert.Equal(12, decoded.Width);
    }

    [Fact]
    public void AHugeDeclaredSizeIsRefusedBeforeDecoding()
    {
        // A 33-byte PNG that declares 100,000 x 100,000 pixels: decoding it would need 40 GB.
        string bomb = Write("bomb.png", Png(100_000, 100_000));
        Assert.Equal(10_000_000_000, ImageHeader.Read(bomb).PixelCount);
        var e = Assert.Throws<InvalidDataException>(() => ImageHeader.ReadWithinLimit(bomb));
        Assert.Equal($"{bomb}: the Png header declares 100000x100000 = 10,000,000,000 pixels, more than the limit of 40,000,000 pixels; the image was refused before decoding.", e.Message);

        // The limit is inclusive, and it applies to every format.
        string small = Write("small.jpg", Encode(SKEncodedImageFormat.Jpeg, 28, 28));
        Assert.Equal(784, ImageHeader.ReadWithinLimit(small, maxPixels: 784).PixelCount);
        e = Assert.Throws<InvalidDataException>(() => ImageHeader.ReadWithinLimit(small, maxPixels: 783));
        Assert.Contains("declares 28x28 = 784 pixels, more than the limit of 783 pixels", e.Message);

        byte[] jpegBomb = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x03];
        e = Assert.Throws<InvalidDataException>(() => ImageHeader.ReadWithinLimit(Write("bomb.jpg", jpegBomb)));
        Assert.Contains("the Jpeg header declares 65535x65535 = 4,294,836,225 pixels", e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty.png", [], "the file is empty (0 bytes); expected a PNG, JPEG, BMP, GIF or WebP image." },
        { "notes.png", "This is not an image"u8.ToArray(), "not a PNG, JPEG, BMP, GIF or WebP image (it starts with 5468697320697320)." },
        { "cut.png", Png(28, 28)[..20], "truncated Png header: the data ends after 20 bytes." },
        { "zero.png", Png(0, 28), "the Png header declares a 0x28 image; expected a width and height from 1 to 2147483647." },
        { "chunk.png", [.. Png(28, 28)[..12], .. "IDAT"u8, .. new byte[9]], "the first PNG chunk is 'IDAT'; expected 'IHDR'." },
        { "no-frame.jpg", [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02], "corrupt JPEG: the image data starts before any start-of-frame segment." },
        { "garbage.jpg", [0xFF, 0xD8, 0x12, 0x34], "corrupt JPEG: expected a marker (FF) at byte 2." },
        { "cut.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A], "truncated Jpeg header: the data ends after 7 bytes." },
        { "negative.bmp", [(byte)'B', (byte)'M', .. new byte[12], .. LittleEndian32(40), .. LittleEndian32(-5), .. LittleEndian32(5)], "the Bmp header declares a -5x5 image" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void AFileThatIsNotAReadableImageIsRefusedNamingIt(string name, byte[] content, string expected)
    {
        string path = Write(name, content);
        var e = Assert.Throws<InvalidDataException>(() => ImageHeader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AMissingFileOrAFolderIsNamed()
    {
        string missing = Path.Combine(_dir, "missing.png");
        var e = Assert.Throws<FileNotFoundException>(() => ImageHeader.Read(missing));
        Assert.Equal($"{missing}: image file not found.", e.Message);
        Assert.Equal(missing, e.FileName);
        Assert.Equal($"{_dir}: is a folder; expected a PNG, JPEG, BMP, GIF or WebP image file.", Assert.Throws<InvalidDataException>(() => ImageHeader.Read(_dir)).Message);
    }

    private static byte[] Png(int width, int height) => TestImages.PngHeader(width, height);

    private static (int, int) Size(ImageHeader header) => (header.Width, header.Height);

    private static byte[] BigEndian16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        return b;
    }

    private static byte[] BigEndian32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }

    private static byte[] LittleEndian32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }
}
