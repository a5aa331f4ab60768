using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("idx-reader");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MnistDataException ImagesError(string path) => Assert.Throws<MnistDataException>(() => IdxReader.ReadImages(path));

    private static MnistDataException LabelsError(string path) => Assert.Throws<MnistDataException>(() => IdxReader.ReadLabels(path));

    private static void AssertMessage(MnistDataException e, string path, params string[] parts)
    {
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Equal(path, e.FilePath);
        foreach (string part in parts) Assert.Contains(part, e.Message);
    }

    [Fact]
    public void ReadsSyntheticImagesRowMajorFromRawAndGzip()
    {
        byte[] content = IdxTestFiles.Images(3, 2, 4);
        string raw = IdxTestFiles.Write(_dir, "images", content);
        string gz = IdxTestFiles.Write(_dir, "images-with-odd-name.bin", IdxTestFiles.Gzip(content)); // gzip detected by magic, not name

        foreach (string path in new[] { raw, gz })
        {
            var images = IdxReader.ReadImages(path);
            Assert.Equal((3, 2, 4, 8), (images.Count, images.Rows, images.Columns, images.ImageSize));
            Assert.Equal(content[16..], images.Pixels);
        }
    }

    [Fact]
    public void ReadsLabelsAtTheEdgeOfTheClassRange()
    {
        string path = IdxTestFiles.Write(_dir, "labels.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(0, 9, 3)));
        Assert.Equal(new byte[] { 0, 9, 3 }, IdxReader.ReadLabels(path));
        Assert.Equal(new byte[] { 0, 9, 3 }, IdxReader.ReadLabels(path, classCount: 10));
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_dir, "train-images-idx3-ubyte.gz");
        var e = ImagesError(path);
        AssertMessage(e, path, "not found");
        var inner = Assert.IsType<FileNotFoundException>(e.InnerException);
        Assert.Equal(path, inner.FileName);
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        string path = IdxTestFiles.Write(_dir, "t10k-labels-idx1-ubyte", []);
        AssertMessage(LabelsError(path), path, "empty", "0 bytes");
    }

    [Fact]
    public void TruncatedGzipStreamIsRejected()
    {
        byte[] gz = IdxTestFiles.Gzip(IdxTestFiles.Images(20, 28, 28));
        string half = IdxTestFiles.Write(_dir, "half.gz", gz[..(gz.Length / 2)]);
        AssertMessage(ImagesError(half), half, "truncated or corrupt gzip stream");

        string lastByteMissing = IdxTestFiles.Write(_dir, "last-byte-missing.gz", gz[..^1]);
        AssertMessage(ImagesError(lastByteMissing), lastByteMissing, "truncated or corrupt gzip stream");

        string headerOnly = IdxTestFiles.Write(_dir, "header-only.gz", gz[..10]);
        AssertMessage(ImagesError(headerOnly), headerOnly, "truncated gzip stream", "10 bytes");
    }

    [Fact]
    public void CorruptGzipStreamIsRejected()
    {
        byte[] gz = IdxTestFiles.Gzip(IdxTestFiles.Images(20, 28, 28));
        for (int i = 12; i < 40; i++) gz[i] = 0xff;
        string path = IdxTestFiles.Write(_dir, "corrupt.gz", gz);
        AssertMessage(ImagesError(path), path, "gzip stream");
    }

    [Fact]
    public void BadMagicSaysWhatWasFoundAndWhatWasExpected()
    {
        string labelsAsImages = IdxTestFiles.Write(_dir, "labels-not-images", IdxTestFiles.Labels(1, 2, 3));
        AssertMessage(ImagesError(labelsAsImages), labelsAsImages, "magic number 0x00000801", "label file", "expected 0x00000803");

        string imagesAsLabels = IdxTestFiles.Write(_dir, "images-not-labels.gz", IdxTestFiles.Gzip(IdxTestFiles.Images(1, 2, 2)));
        AssertMessage(LabelsError(imagesAsLabels), imagesAsLabels, "magic number 0x00000803", "expected 0x00000801");

        string png = IdxTestFiles.Write(_dir, "image.png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0]);
        AssertMessage(ImagesError(png), png, "magic number 0x89504E47", "expected 0x00000803");

        string tooShort = IdxTestFiles.Write(_dir, "short", [0, 0, 8]);
        AssertMessage(ImagesError(tooShort), tooShort, "truncated header", "3 bytes");
    }

    [Fact]
    public void WrongDimensionsAreRejected()
    {
        // Unsigned-byte IDX with 2 dimensions instead of 3.
        byte[] twoDims = [.. IdxTestFiles.Header(0x802, 2, 784), .. new byte[2 * 784]];
        string path2 = IdxTestFiles.Write(_dir, "two-dims", twoDims);
        AssertMessage(ImagesError(path2), path2, "magic number 0x00000802", "2 dimensions", "expected 0x00000803", "3 dimensions");

        string zeroRows = IdxTestFiles.Write(_dir, "zero-rows", IdxTestFiles.Header(0x803, 5, 0, 28));
        AssertMessage(ImagesError(zeroRows), zeroRows, "dimension 1 (rows) is 0", "expected a size from 1");

        string zeroLabels = IdxTestFiles.Write(_dir, "zero-labels", IdxTestFiles.Header(0x801, 0));
        AssertMessage(LabelsError(zeroLabels), zeroLabels, "dimension 0 (labels) is 0");

        string negative = IdxTestFiles.Write(_dir, "negative-columns", IdxTestFiles.Header(0x803, 1, 28, -1));
        AssertMessage(ImagesError(negative), negative, "dimension 2 (columns) is 4294967295");

        string headerCut = IdxTestFiles.Write(_dir, "header-cut", IdxTestFiles.Header(0x803, 1, 28)); // 12 of 16 header bytes
        AssertMessage(ImagesError(headerCut), headerCut, "truncated header", "12 bytes", "16");
    }

    [Fact]
    public void TruncatedAndOverlongContentIsRejected()
    {
        byte[] content = IdxTestFiles.Images(3, 28, 28);
        string truncated = IdxTestFiles.Write(_dir, "truncated", content[..^5]);
        AssertMessage(ImagesError(truncated), truncated, "truncated", "3 images of 28x28", "2368 bytes in all", $"has {2368 - 5} bytes");

        string truncatedGz = IdxTestFiles.Write(_dir, "truncated-content.gz", IdxTestFiles.Gzip(content[..^5]));
        AssertMessage(ImagesError(truncatedGz), truncatedGz, "truncated", "decompressed content has 2363 bytes");

        string trailing = IdxTestFiles.Write(_dir, "trailing", [.. content, 1, 2]);
        AssertMessage(ImagesError(trailing), trailing, "2 bytes of trailing data", "2368 bytes in all", "has 2370 bytes");

        string labels = IdxTestFiles.Write(_dir, "labels-truncated.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(1, 2, 3, 4)[..^1]));
        AssertMessage(LabelsError(labels), labels, "truncated", "4 labels");
    }

    [Fact]
    public void LabelOutOfRangeNamesIndexAndValue()
    {
        string path = IdxTestFiles.Write(_dir, "train-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(0, 1, 2, 3, 4, 5, 6, 12, 8)));
        var e = LabelsError(path);
        Assert.Equal($"{path}: label 12 at index 7 is outside 0..9", e.Message);

        // The same file is fine with more classes, and rejected with fewer.
        Assert.Equal(9, IdxReader.ReadLabels(path, classCount: 13).Length);
        AssertMessage(Assert.Throws<MnistDataException>(() => IdxReader.ReadLabels(path, classCount: 5)), path, "label 5 at index 5 is outside 0..4");
    }

    [Fact]
    public void ReadsTheRealTestImagesAndLabels()
    {
        string imagesPath = Path.Combine(TestData.MnistDirectory, "t10k-images-idx3-ubyte.gz");
        var images = IdxReader.ReadImages(imagesPath);
        Assert.Equal((10_000, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(IdxTestFiles.Gunzip(imagesPath)[16..], images.Pixels);

        var labels = IdxReader.ReadLabels(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4 }, labels[..5]);
    }
}
