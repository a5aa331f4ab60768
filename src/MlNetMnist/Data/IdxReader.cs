using System.Buffers.Binary;

namespace MlNetMnist.Data;

/// <summary>
/// Reads IDX files (the MNIST file format), gzipped or raw: gzip is recognised by the <c>1f 8b</c>
/// magic bytes, not by the file name. Every problem is reported as a <see cref="MnistDataException"/>
/// whose message starts with the file path.
/// </summary>
/// <remarks>
/// An IDX file is a big-endian header (magic number <c>00 00 type dims</c>, then one 32-bit size per
/// dimension) followed by the data. MNIST uses unsigned bytes (type <c>0x08</c>): images have three
/// dimensions (count, rows, columns), labels one (count).
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX image file: unsigned bytes, three dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX label file: unsigned bytes, one dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    private const int UnsignedByteType = 0x08;

    /// <summary>Reads an IDX image file (magic <c>0x00000803</c>).</summary>
    /// <param name="path">The file, gzipped or raw.</param>
    /// <returns>The images, their size and their pixels.</returns>
    /// <exception cref="MnistDataException">The file is missing, empty, truncated, has trailing data, a wrong magic number or a zero dimension.</exception>
    public static IdxImages ReadImages(string path)
    {
        byte[] data = IdxFileBytes.Read(path, out bool gz);
        int[] dims = ReadHeader(path, data, gz, ImagesMagic, "images, rows, columns");
        int count = dims[0], rows = dims[1], columns = dims[2];
        long expected = CheckSize(path, data, gz, 16, (long)count * rows * columns, $"{count} images of {rows}x{columns} pixels");
        return new IdxImages(count, rows, columns, data.AsSpan(16, (int)expected).ToArray());
    }

    /// <summary>Reads an IDX label file (magic <c>0x00000801</c>) and checks every label is a valid class.</summary>
    /// <param name="path">The file, gzipped or raw.</param>
    /// <param name="classCount">Number of classes: every label must be in <c>0..classCount-1</c>.</param>
    /// <returns>One label per item.</returns>
    /// <exception cref="MnistDataException">The file is missing, empty, truncated, has trailing data, a wrong magic number, or a label outside the class range.</exception>
    public static byte[] ReadLabels(string path, int classCount = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        byte[] data = IdxFileBytes.Read(path, out bool gz);
        int[] dims = ReadHeader(path, data, gz, LabelsMagic, "labels");
        int count = dims[0];
        CheckSize(path, data, gz, 8, count, $"{count} labels");
        var labels = data.AsSpan(8, count).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classCount)
                throw new MnistDataException(path, $"label {labels[i]} at index {i} is outside 0..{classCount - 1}");
        return labels;
    }

    /// <summary>Checks the magic number and reads the dimension sizes, each of which must be positive.</summary>
    private static int[] ReadHeader(string path, byte[] data, bool gz, int expectedMagic, string dimensionNames)
    {
        int expectedDims = expectedMagic & 0xff;
        string expectedText = $"0x{expectedMagic:X8} (IDX {Kind(expectedMagic)}: unsigned bytes, {expectedDims} dimension{(expectedDims == 1 ? "" : "s")}: {dimensionNames})";
        if (data.Length < 4)
            throw new MnistDataException(path, $"truncated header: {Content(gz)} has {data.Length} bytes, too short for the 4-byte magic number {expectedText}");

        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != expectedMagic)
        {
            bool idxBytes = (magic & ~0xffff) == 0 && ((magic >> 8) & 0xff) == UnsignedByteType;
            int foundDims = magic & 0xff;
            string found = idxBytes
                ? $"magic number 0x{magic:X8} (IDX unsigned bytes, {foundDims} dimension{(foundDims == 1 ? "" : "s")}{(foundDims is 1 or 3 ? $": an IDX {Kind(magic)}" : "")})"
                : $"magic number 0x{magic:X8} (not an IDX unsigned-byte file)";
            throw new MnistDataException(path, $"{found}, expected {expectedText}");
        }

        int headerLength = 4 + 4 * expectedDims;
        if (data.Length < headerLength)
            throw new MnistDataException(path, $"truncated header: {Content(gz)} has {data.Length} bytes, the header of an IDX {Kind(expectedMagic)} file has {headerLength}");

        string[] names = dimensionNames.Split(", ");
        var dims = new int[expectedDims];
        for (int d = 0; d < expectedDims; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4 + 4 * d));
            if (size == 0 || size > int.MaxValue)
                throw new MnistDataException(path, $"dimension {d} ({names[d]}) is {size}, expected a size from 1 to {int.MaxValue}");
            dims[d] = (int)size;
        }
        return dims;
    }

    /// <summary>Checks that the data after the header is exactly <paramref name="payload"/> bytes long.</summary>
    private static long CheckSize(string path, byte[] data, bool gz, int headerLength, long payload, string declared)
    {
        long expected = headerLength + payload;
        if (expected > Array.MaxLength)
            throw new MnistDataException(path, $"header declares {declared} ({expected} bytes in all), more than the {Array.MaxLength} bytes that can be read");
        if (data.Length < expected)
            throw new MnistDataException(path, $"truncated: header declares {declared} ({expected} bytes in all), but {Content(gz)} has {data.Length} bytes");
        if (data.Length > expected)
            throw new MnistDataException(path, $"{data.Length - expected} bytes of trailing data: header declares {declared} ({expected} bytes in all), but {Content(gz)} has {data.Length} bytes");
        return payload;
    }

    private static string Kind(int magic) => (magic & 0xff) switch
    {
        1 => "label file",
        3 => "image file",
        _ => "file",
    };

    private static string Content(bool gz) => gz ? "the decompressed content" : "the file";
}
