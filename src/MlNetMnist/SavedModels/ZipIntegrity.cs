using System.IO.Compression;

namespace MlNetMnist.SavedModels;

/// <summary>
/// Checks every entry of a model file against the CRC-32 its zip directory records, before ML.NET
/// reads it: a damaged ONNX graph can otherwise load "successfully" with wrong weights (ML.NET does not
/// check the checksums, and a corrupted deflate stream may still decompress).
/// </summary>
internal static class ZipIntegrity
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="displayPath"/> and the entry when an entry is damaged.</summary>
    /// <param name="zip">The model file's content (read from its start; left open).</param>
    /// <param name="displayPath">The file, for messages.</param>
    public static void Check(Stream zip, string displayPath)
    {
        try
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var buffer = new byte[1 << 16];
            foreach (var entry in archive.Entries)
            {
                uint crc = uint.MaxValue;
                using (var stream = entry.Open())
                {
                    int read;
                    while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                        crc = Update(crc, buffer.AsSpan(0, read));
                }
                crc = ~crc;
                if (crc != entry.Crc32)
                    throw new InvalidDataException($"{displayPath}: not a readable ML.NET model: the zip entry '{entry.FullName}' is damaged (its content has CRC-32 {crc:X8}; the archive records {entry.Crc32:X8}).");
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(displayPath, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{displayPath}: not a readable ML.NET model: {e.Message}", e);
        }
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The table of the reflected CRC-32 of zip (polynomial 0xEDB88320).</summary>
    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
