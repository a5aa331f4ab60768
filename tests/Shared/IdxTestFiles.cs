using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetMnist.Tests.Shared;

/// <summary>Builds synthetic IDX files (valid or deliberately broken) for the data-layer tests.</summary>
internal static class IdxTestFiles
{
    /// <summary>An IDX header: magic, then one big-endian size per dimension.</summary>
    public static byte[] Header(int magic, params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    /// <summary>A valid image file whose pixel <c>k</c> is <c>k % 251</c>.</summary>
    public static byte[] Images(int count, int rows, int columns) =>
        [.. Header(0x803, count, rows, columns), .. Enumerable.Range(0, count * rows * columns).Select(k => (byte)(k % 251))];

    /// <summary>A valid label file.</summary>
    public static byte[] Labels(params byte[] labels) => [.. Header(0x801, labels.Length), .. labels];

    /// <summary>Gzips <paramref name="data"/>.</summary>
    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    /// <summary>The content of <paramref name="path"/>, gunzipped.</summary>
    public static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in <paramref name="directory"/> and returns the path.</summary>
    public static string Write(string directory, string name, byte[] content)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
