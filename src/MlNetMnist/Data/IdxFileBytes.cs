using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetMnist.Data;

/// <summary>
/// Reads a whole file into memory, decompressing it when it is gzipped (recognised by the
/// <c>1f 8b</c> magic bytes, not by its name).
/// </summary>
internal static class IdxFileBytes
{
    private const int GzipMinimumLength = 18; // 10-byte header + 8-byte trailer

    /// <summary>True when <paramref name="bytes"/> start with the gzip magic <c>1f 8b</c>.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// The content of <paramref name="path"/>, decompressed if gzipped. Throws
    /// <see cref="MnistDataException"/> when the file is missing, empty, or a truncated or corrupt gzip stream.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="wasGzip">True when the file was gzipped.</param>
    public static byte[] Read(string path, out bool wasGzip)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MnistDataException(path, "file not found", new FileNotFoundException($"Could not find file '{path}'.", path, e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MnistDataException(path, $"cannot read the file: {e.Message}", e);
        }

        if (raw.Length == 0) throw new MnistDataException(path, "file is empty (0 bytes), expected IDX data");
        wasGzip = IsGzip(raw);
        return wasGzip ? Decompress(path, raw) : raw;
    }

    private static byte[] Decompress(string path, byte[] gz)
    {
        if (gz.Length < GzipMinimumLength)
            throw new MnistDataException(path, $"truncated gzip stream: the file has {gz.Length} bytes, a gzip stream has at least {GzipMinimumLength}");

        // The trailer's ISIZE (decompressed length mod 2^32) sizes the buffer and, compared with what
        // was actually decompressed, detects a truncated stream: GZipStream just stops at the end of input.
        uint trailerSize = BinaryPrimitives.ReadUInt32LittleEndian(gz.AsSpan(gz.Length - 4));

        // Trust the trailer for the initial size only when it is plausible for the compressed size, so
        // that a truncated file (whose last four bytes are arbitrary) cannot make us allocate gigabytes.
        long plausible = Math.Min(Array.MaxLength, gz.Length * 64L + 4096);
        int capacity = (int)(trailerSize <= plausible ? trailerSize : Math.Min(plausible, gz.Length * 4L + 4096));
        byte[] buffer = new byte[capacity];
        int total = 0;
        try
        {
            using var stream = new GZipStream(new MemoryStream(gz, writable: false), CompressionMode.Decompress);
            Span<byte> probe = stackalloc byte[1];
            while (true)
            {
                if (total == buffer.Length)
                {
                    // Full: the content is at least as long as expected. Is there more?
                    if (stream.Read(probe) == 0) break;
                    if (buffer.Length == Array.MaxLength)
                        throw new MnistDataException(path, $"decompressed content is larger than {Array.MaxLength} bytes, too large to read");
                    Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max(4096L, buffer.Length * 2L)));
                    buffer[total++] = probe[0];
                    continue;
                }
                int n = stream.Read(buffer, total, buffer.Length - total);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new MnistDataException(path, $"corrupt gzip stream: {e.Message}", e);
        }

        if ((uint)total != trailerSize)
            throw new MnistDataException(path,
                $"truncated or corrupt gzip stream: it decompresses to {total} bytes, but its trailer records {trailerSize} bytes");
        if (total < buffer.Length) Array.Resize(ref buffer, total);
        return buffer;
    }
}
