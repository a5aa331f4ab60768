using System.Buffers.Binary;
using System.Globalization;

namespace MlNetMnist.Data;

/// <summary>
/// The format and declared size of an image file, read from its header without decoding any pixels
/// (PNG, JPEG, BMP, GIF, WebP). Use it as a guard before decoding untrusted images: a small file can
/// declare a huge image (a "decompression bomb") whose decoding would exhaust memory;
/// <see cref="ReadWithinLimit(string, long)"/> refuses it first.
/// </summary>
/// <remarks>
/// Every problem is an <see cref="InvalidDataException"/> whose message starts with the file path (or
/// the name given for a stream) and says what was found and what was expected; a missing file is a
/// <see cref="FileNotFoundException"/>. Only the bytes up to the size field are read (for JPEG, up to
/// the first start-of-frame segment, at most 16 MiB into the file).
/// </remarks>
public sealed class ImageHeader
{
    /// <summary>The default pixel limit of <see cref="ReadWithinLimit(string, long)"/>: 40 million pixels (160 MB as 32-bit RGBA).</summary>
    public const long DefaultMaxPixels = 40_000_000;

    private const int MaxScanBytes = 16 << 20;
    private const string Formats = "PNG, JPEG, BMP, GIF or WebP";
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private ImageHeader(ImageFileFormat format, int width, int height)
    {
        Format = format;
        Width = width;
        Height = height;
    }

    /// <summary>The file format.</summary>
    public ImageFileFormat Format { get; }

    /// <summary>Declared width in pixels (at least 1).</summary>
    public int Width { get; }

    /// <summary>Declared height in pixels (at least 1).</summary>
    public int Height { get; }

    /// <summary>Declared number of pixels, <see cref="Width"/> times <see cref="Height"/>.</summary>
    public long PixelCount => (long)Width * Height;

    /// <summary>Reads the header of the image file at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <returns>Its format and declared size.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is empty, not an image of a known format, or its header is truncated or declares no pixels.</exception>
    public static ImageHeader Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new InvalidDataException($"{path}: is a folder; expected a {Formats} image file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: image file not found.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads the header of the image in <paramref name="stream"/> from its current position. A seekable
    /// stream is put back where it was, so that the image can then be decoded from it.
    /// </summary>
    /// <param name="stream">The image data.</param>
    /// <param name="name">Names the image in error messages (a file name or an upload's name).</param>
    /// <returns>Its format and declared size.</returns>
    /// <exception cref="InvalidDataException">The data is empty, not an image of a known format, or its header is truncated or declares no pixels.</exception>
    public static ImageHeader Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        long start = stream.CanSeek ? stream.Position : -1;
        try
        {
            return Parse(new HeaderBytes(stream), name);
        }
        finally
        {
            if (start >= 0) stream.Position = start;
        }
    }

    /// <summary>
    /// Reads the header of the image file at <paramref name="path"/> and refuses, before anything is
    /// decoded, an image that declares more than <paramref name="maxPixels"/> pixels.
    /// </summary>
    /// <param name="path">The image file.</param>
    /// <param name="maxPixels">The largest acceptable width times height.</param>
    /// <returns>Its format and declared size.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image header, or it declares too many pixels.</exception>
    public static ImageHeader ReadWithinLimit(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        var header = Read(path);
        header.EnsureWithinLimit(path, maxPixels);
        return header;
    }

    /// <summary>As <see cref="ReadWithinLimit(string, long)"/>, for an image in a stream (put back where it was when seekable).</summary>
    /// <param name="stream">The image data.</param>
    /// <param name="name">Names the image in error messages.</param>
    /// <param name="maxPixels">The largest acceptable width times height.</param>
    /// <returns>Its format and declared size.</returns>
    /// <exception cref="InvalidDataException">The data is not a readable image header, or it declares too many pixels.</exception>
    public static ImageHeader ReadWithinLimit(Stream stream, string name, long maxPixels = DefaultMaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        var header = Read(stream, name);
        header.EnsureWithinLimit(name, maxPixels);
        return header;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="name"/> when the image declares more than <paramref name="maxPixels"/> pixels.</summary>
    /// <param name="name">Names the image in the message.</param>
    /// <param name="maxPixels">The largest acceptable width times height.</param>
    public void EnsureWithinLimit(string name, long maxPixels)
    {
        if (PixelCount > maxPixels)
            throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture,
                "{0}: the {1} header declares {2}x{3} = {4:N0} pixels, more than the limit of {5:N0} pixels; the image was refused before decoding.",
                name, Format, Width, Height, PixelCount, maxPixels));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Format} {Width}x{Height}");

    private static ImageHeader Parse(HeaderBytes bytes, string name)
    {
        if (!bytes.Has(1))
            throw new InvalidDataException($"{name}: the file is empty (0 bytes); expected a {Formats} image.");
        bytes.Has(12);
        var start = bytes.Span(0, Math.Min(bytes.Count, 12));
        if (start.StartsWith(PngSignature)) return Png(bytes, name);
        if (start.StartsWith(stackalloc byte[] { 0xFF, 0xD8 })) return Jpeg(bytes, name);
        if (start.StartsWith("BM"u8)) return Bmp(bytes, name);
        if (start.StartsWith("GIF87a"u8) || start.StartsWith("GIF89a"u8)) return Gif(bytes, name);
        if (start.Length >= 12 && start.StartsWith("RIFF"u8) && start[8..12].SequenceEqual("WEBP"u8)) return WebP(bytes, name);
        throw new InvalidDataException($"{name}: not a {Formats} image (it starts with {Convert.ToHexString(start[..Math.Min(start.Length, 8)])}).");
    }

    private static ImageHeader Png(HeaderBytes bytes, string name)
    {
        var h = bytes.Need(24, name, ImageFileFormat.Png);
        if (!h[12..16].SequenceEqual("IHDR"u8))
            throw new InvalidDataException($"{name}: the first PNG chunk is '{Text(h[12..16])}'; expected 'IHDR'.");
        return Create(name, ImageFileFormat.Png, BinaryPrimitives.ReadUInt32BigEndian(h[16..]), BinaryPrimitives.ReadUInt32BigEndian(h[20..]));
    }

    private static ImageHeader Gif(HeaderBytes bytes, string name)
    {
        var h = bytes.Need(10, name, ImageFileFormat.Gif);
        return Create(name, ImageFileFormat.Gif, BinaryPrimitives.ReadUInt16LittleEndian(h[6..]), BinaryPrimitives.ReadUInt16LittleEndian(h[8..]));
    }

    private static ImageHeader Bmp(HeaderBytes bytes, string name)
    {
        var h = bytes.Need(18, name, ImageFileFormat.Bmp);
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
        if (dibSize == 12) // BITMAPCOREHEADER: 16-bit unsigned sizes
        {
            h = bytes.Need(22, name, ImageFileFormat.Bmp);
            return Create(name, ImageFileFormat.Bmp, BinaryPrimitives.ReadUInt16LittleEndian(h[18..]), BinaryPrimitives.ReadUInt16LittleEndian(h[20..]));
        }
        if (dibSize < 16)
            throw new InvalidDataException($"{name}: the BMP DIB header is {dibSize} bytes long; expected 12, or 16 and more.");
        h = bytes.Need(26, name, ImageFileFormat.Bmp);
        long width = BinaryPrimitives.ReadInt32LittleEndian(h[18..]);
        long height = BinaryPrimitives.ReadInt32LittleEndian(h[22..]);
        return Create(name, ImageFileFormat.Bmp, width, Math.Abs(height)); // a negative height is a top-down bitmap
    }

    private static ImageHeader WebP(HeaderBytes bytes, string name)
    {
        var h = bytes.Need(30, name, ImageFileFormat.WebP);
        var chunk = h[12..16];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            if (h[23] != 0x9D || h[24] != 0x01 || h[25] != 0x2A)
                throw new InvalidDataException($"{name}: the WebP VP8 frame has no start code (9D 01 2A).");
            return Create(name, ImageFileFormat.WebP, BinaryPrimitives.ReadUInt16LittleEndian(h[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(h[28..]) & 0x3FFF);
        }
        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (h[20] != 0x2F)
                throw new InvalidDataException($"{name}: the WebP VP8L chunk has no signature byte 2F.");
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(h[21..]);
            return Create(name, ImageFileFormat.WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8X"u8))
            return Create(name, ImageFileFormat.WebP, UInt24(h[24..]) + 1L, UInt24(h[27..]) + 1L);
        throw new InvalidDataException($"{name}: the first WebP chunk is '{Text(chunk)}'; expected 'VP8 ', 'VP8L' or 'VP8X'.");
    }

    private static ImageHeader Jpeg(HeaderBytes bytes, string name)
    {
        int offset = 2;
        while (true)
        {
            if (offset >= MaxScanBytes)
                throw new InvalidDataException($"{name}: no JPEG start-of-frame segment in the first {MaxScanBytes >> 20} MiB.");
            if (bytes.Need(offset + 1, name, ImageFileFormat.Jpeg)[offset] != 0xFF)
                throw new InvalidDataException($"{name}: corrupt JPEG: expected a marker (FF) at byte {offset}.");
            while (bytes.Need(offset + 2, name, ImageFileFormat.Jpeg)[offset + 1] == 0xFF) offset++; // fill bytes
            byte marker = bytes.Span(offset + 1, 1)[0];
            offset += 2;
            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7)) continue; // markers without a segment
            if (marker is 0xD9 or 0xDA)
                throw new InvalidDataException($"{name}: corrupt JPEG: the image data starts before any start-of-frame segment.");
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.Need(offset + 2, name, ImageFileFormat.Jpeg)[offset..]);
            if (length < 2)
                throw new InvalidDataException($"{name}: corrupt JPEG: segment length {length} at byte {offset}.");
            bool startOfFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (startOfFrame)
            {
                var sof = bytes.Need(offset + 7, name, ImageFileFormat.Jpeg);
                return Create(name, ImageFileFormat.Jpeg, BinaryPrimitives.ReadUInt16BigEndian(sof[(offset + 5)..]), BinaryPrimitives.ReadUInt16BigEndian(sof[(offset + 3)..]));
            }
            offset += length;
        }
    }

    private static ImageHeader Create(string name, ImageFileFormat format, long width, long height)
    {
        if (width < 1 || height < 1 || width > int.MaxValue || height > int.MaxValue)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: the {format} header declares a {width}x{height} image; expected a width and height from 1 to {int.MaxValue}."));
        return new ImageHeader(format, (int)width, (int)height);
    }

    private static uint UInt24(ReadOnlySpan<byte> b) => (uint)(b[0] | b[1] << 8 | b[2] << 16);

    private static string Text(ReadOnlySpan<byte> fourCc) =>
        string.Concat(fourCc.ToArray().Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}"));

    /// <summary>The start of a stream, read on demand (never more than <see cref="MaxScanBytes"/> plus a segment header).</summary>
    private sealed class HeaderBytes(Stream stream)
    {
        private byte[] _buffer = new byte[256];
        private int _count;
        private bool _end;

        public int Count => _count;

        /// <summary>True when at least <paramref name="length"/> bytes could be read.</summary>
        public bool Has(int length)
        {
            while (_count < length && !_end)
            {
                if (_buffer.Length < length)
                    Array.Resize(ref _buffer, Math.Max(length, Math.Min(_buffer.Length * 2, MaxScanBytes + 64)));
                int read = stream.Read(_buffer, _count, _buffer.Length - _count);
                if (read == 0) _end = true;
                _count += read;
            }
            return _count >= length;
        }

        /// <summary>The first <paramref name="length"/> bytes; throws a truncated-header error when the data is shorter.</summary>
        public ReadOnlySpan<byte> Need(int length, string name, ImageFileFormat format)
        {
            if (!Has(length))
                throw new InvalidDataException($"{name}: truncated {format} header: the data ends after {_count} bytes.");
            return _buffer.AsSpan(0, length);
        }

        public ReadOnlySpan<byte> Span(int offset, int length) => _buffer.AsSpan(offset, length);
    }
}
