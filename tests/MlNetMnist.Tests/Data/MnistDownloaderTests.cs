using System.Security.Cryptography;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

public sealed class MnistDownloaderTests : IDisposable
{
    private const string MirrorA = "https://mirror-a.example/mnist/";
    private const string MirrorB = "https://mirror-b.example/datasets/mnist"; // no trailing slash on purpose

    private readonly string _dir = TestData.NewTempDirectory("mnist-download");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static HttpResponseMessage ServeShared(Uri uri) => FakeMirrorHandler.ServeFrom(TestData.MnistDirectory, uri);

    private static MnistDownloader Downloader(FakeMirrorHandler handler) => new(new HttpClient(handler), [MirrorA, MirrorB]);

    /// <summary>The real test labels with one label changed, gzipped, and the MD5 of that content.</summary>
    private static (byte[] Gz, string Md5) CorruptedTestLabels()
    {
        byte[] content = IdxTestFiles.Gunzip(Path.Combine(TestData.MnistDirectory, MnistFiles.TestLabels.GzName));
        content[100] = (byte)((content[100] + 1) % 10);
        return (IdxTestFiles.Gzip(content), Convert.ToHexStringLower(MD5.HashData(content)));
    }

    [Fact]
    public async Task EnsureDownloadsAllFourFilesAndVerifiesThem()
    {
        var handler = new FakeMirrorHandler(ServeShared);
        string target = Path.Combine(_dir, "nested", "mnist");
        var progress = new ListProgress();

        Assert.False(MnistDownloader.HasAllFiles(target));
        await Downloader(handler).EnsureAsync(target, progress);

        Assert.True(MnistDownloader.HasAllFiles(target));
        Assert.Equal(MnistFiles.All.Select(f => new Uri(MirrorA + f.GzName)), handler.Requests);
        foreach (var file in MnistFiles.All)
            Assert.Equal(File.ReadAllBytes(Path.Combine(TestData.MnistDirectory, file.GzName)), File.ReadAllBytes(Path.Combine(target, file.GzName)));
        Assert.Equal(MnistFiles.All.Select(f => f.GzName).Order(), Directory.GetFiles(target).Select(Path.GetFileName).Order());
        Assert.Equal(4, progress.Lines.Count(l => l.Contains("verified")));
        Assert.Equal(4, await MnistDownloader.VerifyExistingAsync(target));
        Assert.Equal(10_000, MnistData.LoadSet(target, MnistSplit.Test).Count);

        // A second call finds everything in place and asks for nothing.
        await Downloader(handler).EnsureAsync(target);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public async Task ByteProgressReportsTheBytesReceivedUpToTheWholeFile()
    {
        var handler = new FakeMirrorHandler(ServeShared);
        var reports = new List<DownloadProgress>();
        var downloader = new MnistDownloader(new HttpClient(handler), [MirrorA]) { ByteProgress = new SyncProgress<DownloadProgress>(reports.Add) };

        await downloader.DownloadAsync(_dir, MnistFiles.TrainImages);

        long size = new FileInfo(Path.Combine(TestData.MnistDirectory, MnistFiles.TrainImages.GzName)).Length;
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal(MnistFiles.TrainImages.GzName, r.FileName));
        Assert.Equal(reports.Select(r => r.BytesReceived).Order(), reports.Select(r => r.BytesReceived));
        Assert.Equal(size, reports[^1].BytesReceived);
        Assert.Equal(size, reports[^1].TotalBytes);
        Assert.Matches(@"^train-images-idx3-ubyte\.gz  \[#{20}\]  \d+\.\d/\d+\.\d MB  [\d.]+ MB/s$", reports[^1].ToString());
    }

    [Fact]
    public async Task CorruptedPayloadIsRejectedWithTheMd5sAndLeavesNoFile()
    {
        var (gz, actualMd5) = CorruptedTestLabels();
        var handler = new FakeMirrorHandler(_ => FakeMirrorHandler.Ok(gz));

        var e = await Assert.ThrowsAsync<MnistDataException>(() => Downloader(handler).DownloadAsync(_dir, MnistFiles.TestLabels));

        string target = Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz");
        Assert.StartsWith(target + ": ", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains($"MD5 of the decompressed content is {actualMd5}", e.Message);
        Assert.Contains($"expected {MnistFiles.TestLabels.Md5}", e.Message);
        Assert.Contains(MirrorA + "t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains(MirrorB + "/t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.Equal(2, handler.Requests.Count);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task PayloadThatIsNotGzipIsRejected()
    {
        var handler = new FakeMirrorHandler(_ => FakeMirrorHandler.Ok("<html>gone</html>"u8.ToArray()));
        var e = await Assert.ThrowsAsync<MnistDataException>(() => Downloader(handler).DownloadAsync(_dir, MnistFiles.TestLabels));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains($"expected {MnistFiles.TestLabels.Md5}", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task SecondMirrorIsUsedWhenTheFirstReturns404()
    {
        var handler = new FakeMirrorHandler(uri => uri.Host == "mirror-a.example"
            ? new HttpResponseMessage(System.Net.HttpStatusCode.NotFound)
            : ServeShared(uri));
        var progress = new ListProgress();

        string path = await Downloader(handler).DownloadAsync(_dir, MnistFiles.TestLabels, progress);

        Assert.Equal(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), path);
        Assert.Equal(
            [new Uri(MirrorA + "t10k-labels-idx1-ubyte.gz"), new Uri(MirrorB + "/t10k-labels-idx1-ubyte.gz")],
            handler.Requests);
        MnistFiles.Verify(path, MnistFiles.TestLabels);
        Assert.Contains(progress.Lines, l => l.Contains("verified"));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task SecondMirrorIsUsedWhenTheFirstServesWrongContent()
    {
        var (gz, _) = CorruptedTestLabels();
        var handler = new FakeMirrorHandler(uri => uri.Host == "mirror-a.example" ? FakeMirrorHandler.Ok(gz) : ServeShared(uri));
        string path = await Downloader(handler).DownloadAsync(_dir, MnistFiles.TestLabels);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(MnistFiles.TestLabels.Md5, MnistFiles.ComputeMd5(path));
    }

    [Fact]
    public async Task AllMirrorsFailingIsReportedPerMirror()
    {
        var handler = new FakeMirrorHandler(uri => uri.Host == "mirror-a.example"
            ? new HttpResponseMessage(System.Net.HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" }
            : throw new HttpRequestException("connection refused"));
        var e = await Assert.ThrowsAsync<MnistDataException>(() => Downloader(handler).EnsureAsync(_dir));
        Assert.StartsWith(Path.Combine(_dir, "train-images-idx3-ubyte.gz") + ": ", e.Message);
        Assert.Contains($"{MirrorA}train-images-idx3-ubyte.gz: HTTP 404 (Not Found)", e.Message);
        Assert.Contains("connection refused", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task EnsureDoesNotCallTheHandlerWhenTheFilesExist()
    {
        var handler = new FakeMirrorHandler(_ => throw new InvalidOperationException("no download expected"));
        var progress = new ListProgress();
        await Downloader(handler).EnsureAsync(TestData.MnistDirectory, progress);
        await new MnistDownloader(new HttpClient(handler)) { VerifyExistingFiles = true }.EnsureAsync(TestData.MnistDirectory);
        Assert.Empty(handler.Requests);
        Assert.Equal(4, progress.Lines.Count(l => l.Contains("present")));

        // Raw (decompressed) files count as present too.
        foreach (var file in MnistFiles.All.Where(f => f.Name.StartsWith("t10k")))
            File.WriteAllBytes(Path.Combine(_dir, file.Name), IdxTestFiles.Gunzip(Path.Combine(TestData.MnistDirectory, file.GzName)));
        foreach (var file in MnistFiles.All.Where(f => f.Name.StartsWith("train")))
            File.Copy(Path.Combine(TestData.MnistDirectory, file.GzName), Path.Combine(_dir, file.GzName));
        Assert.True(MnistDownloader.HasAllFiles(_dir));
        await Downloader(handler).EnsureAsync(_dir);
        Assert.Equal(4, await MnistDownloader.VerifyExistingAsync(_dir));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task VerifyExistingRejectsAWrongFile()
    {
        var (gz, actualMd5) = CorruptedTestLabels();
        string path = IdxTestFiles.Write(_dir, "t10k-labels-idx1-ubyte.gz", gz);

        var e = await Assert.ThrowsAsync<MnistDataException>(() => MnistDownloader.VerifyExistingAsync(_dir));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(actualMd5, e.Message);
        Assert.Contains(MnistFiles.TestLabels.Md5, e.Message);

        // With VerifyExistingFiles, EnsureAsync downloads the missing files and then rejects the wrong one.
        var handler = new FakeMirrorHandler(ServeShared);
        var downloader = new MnistDownloader(new HttpClient(handler), [MirrorA]) { VerifyExistingFiles = true };
        var ensure = await Assert.ThrowsAsync<MnistDataException>(() => downloader.EnsureAsync(_dir));
        Assert.StartsWith(path + ": ", ensure.Message);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(gz, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task CancellationLeavesNoFile()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var handler = new FakeMirrorHandler(ServeShared);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Downloader(handler).EnsureAsync(_dir, cancellationToken: cts.Token));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void DefaultsAreTheTwoPublicMirrors()
    {
        Assert.Equal(["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"], MnistDownloader.DefaultMirrors);
        Assert.Equal(MnistDownloader.DefaultMirrors, new MnistDownloader().Mirrors);
        Assert.Throws<ArgumentException>(() => new MnistDownloader(mirrors: []));
    }
}
