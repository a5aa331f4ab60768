using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

public sealed class MnistFilesTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mnist-files");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SharedFilesMatchTheCanonicalSizesAndMd5s()
    {
        Assert.Equal(
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
            MnistFiles.All.Select(f => f.Name));
        foreach (var file in MnistFiles.All)
        {
            string path = MnistFiles.Resolve(TestData.MnistDirectory, file.Name);
            Assert.Equal(file.Md5, MnistFiles.ComputeMd5(path));
            MnistFiles.Verify(path, file);
        }
        Assert.Equal(10_008, IdxTestFiles.Gunzip(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz")).Length);
        Assert.True(MnistDownloader.HasAllFiles(TestData.MnistDirectory));
    }

    [Fact]
    public void VerifyNamesTheFileAndBothMd5s()
    {
        string path = IdxTestFiles.Write(_dir, "t10k-labels-idx1-ubyte", IdxTestFiles.Labels(1, 2, 3));
        var e = Assert.Throws<MnistDataException>(() => MnistFiles.Verify(path, MnistFiles.TestLabels));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(MnistFiles.TestLabels.Md5, e.Message);
        Assert.Contains(MnistFiles.ComputeMd5(path), e.Message);
    }

    [Fact]
    public void ResolvePrefersGzipThenRawAndNamesBothWhenMissing()
    {
        string name = MnistFiles.TestLabels.Name;
        var e = Assert.Throws<MnistDataException>(() => MnistFiles.Resolve(_dir, name));
        Assert.StartsWith(Path.Combine(_dir, name + ".gz") + ": ", e.Message);
        Assert.EndsWith($"neither is {Path.Combine(_dir, name)}", e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
        Assert.False(MnistDownloader.HasAllFiles(_dir));

        string raw = IdxTestFiles.Write(_dir, name, IdxTestFiles.Labels(1));
        Assert.Equal(raw, MnistFiles.Resolve(_dir, name));

        string gz = IdxTestFiles.Write(_dir, name + ".gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(1)));
        Assert.Equal(gz, MnistFiles.Resolve(_dir, name));
    }

    [Fact]
    public void SplitsMapToTheirFiles()
    {
        Assert.Equal(MnistFiles.TrainImages, MnistFiles.Images(MnistSplit.Train));
        Assert.Equal(MnistFiles.TrainLabels, MnistFiles.Labels(MnistSplit.Train));
        Assert.Equal(MnistFiles.TestImages, MnistFiles.Images(MnistSplit.Test));
        Assert.Equal(MnistFiles.TestLabels, MnistFiles.Labels(MnistSplit.Test));
        Assert.Equal("t10k-images-idx3-ubyte.gz", MnistFiles.TestImages.GzName);
    }
}
