using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

public sealed class MnistDataTests : IDisposable
{
    private static readonly int[] TestClassCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    private readonly string _dir = TestData.NewTempDirectory("mnist-data");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (uint[] Labels, float[][] Features) ReadAll(IDataView view)
    {
        var labels = new List<uint>();
        var features = new List<float[]>();
        using var cursor = view.GetRowCursor(view.Schema);
        var labelGetter = cursor.GetGetter<uint>(view.Schema["Label"]);
        var featuresGetter = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        uint label = 0;
        VBuffer<float> buffer = default;
        long expectedPosition = 0;
        while (cursor.MoveNext())
        {
            Assert.Equal(expectedPosition++, cursor.Position);
            labelGetter(ref label);
            featuresGetter(ref buffer);
            labels.Add(label);
            features.Add(buffer.DenseValues().ToArray());
        }
        return (labels.ToArray(), features.ToArray());
    }

    [Fact]
    public void TestSplitLoadsAllRowsWithTheKnownClassCounts()
    {
        var ml = new MLContext(seed: 1);
        IDataView view = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test);

        Assert.Equal(10_000, view.GetRowCount());
        Assert.False(view.CanShuffle);
        Assert.Equal(NumberDataViewType.UInt32, view.Schema["Label"].Type);
        var featuresType = Assert.IsType<VectorDataViewType>(view.Schema["Features"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 784), featuresType);
        Assert.True(featuresType.IsKnownSize);
        Assert.Equal(784, featuresType.Size);

        var (labels, features) = ReadAll(view);
        Assert.Equal(10_000, labels.Length);
        Assert.Equal(new uint[] { 7, 2, 1, 0, 4 }, labels[..5]);
        Assert.Equal(TestClassCounts, Enumerable.Range(0, 10).Select(c => labels.Count(l => l == c)));

        Assert.All(features, f => Assert.Equal(784, f.Length));
        Assert.All(features, f => Assert.All(f, v => Assert.InRange(v, 0f, 255f)));
        Assert.All(features, f => Assert.All(f, v => Assert.Equal(MathF.Round(v), v)));
        Assert.Contains(features, f => f.Contains(255f));

        // Row-major against the raw IDX bytes: image i, row r, column c is byte 16 + i*784 + r*28 + c.
        byte[] raw = IdxTestFiles.Gunzip(Path.Combine(TestData.MnistDirectory, "t10k-images-idx3-ubyte.gz"));
        foreach (var (i, r, c) in new[] { (0, 7, 6), (0, 14, 20), (1, 10, 10), (9_999, 20, 13), (4_321, 3, 25) })
            Assert.Equal(raw[16 + i * 784 + r * 28 + c], features[i][r * 28 + c]);
        for (int i = 0; i < 10_000; i += 997)
            Assert.Equal(raw.AsSpan(16 + i * 784, 784).ToArray().Select(b => (float)b), features[i]);

        // The first test image (a 7) has ink in the middle rows, not in the top row.
        Assert.All(features[0][..28], v => Assert.Equal(0f, v));
        Assert.True(features[0][(14 * 28)..(15 * 28)].Sum() > 0);
    }

    [Fact]
    public void MaxRowsLimitsTheRows()
    {
        var ml = new MLContext(seed: 1);
        IDataView view = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 25);
        Assert.Equal(25, view.GetRowCount());
        var (labels, features) = ReadAll(view);
        Assert.Equal(25, labels.Length);
        Assert.Equal(new uint[] { 7, 2, 1, 0, 4 }, labels[..5]);

        var full = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test);
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 25);
        Assert.Equal((25, 28, 28, 784), (set.Count, set.Rows, set.Columns, set.ImageSize));
        Assert.Equal(full.Labels[..25], set.Labels);
        Assert.Equal(full.Pixels[..(25 * 784)], set.Pixels);
        Assert.Equal(full.Pixels[(24 * 784)..(25 * 784)].Select(b => (float)b), features[24]);

        Assert.Equal(10_000, MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 1_000_000).Count);
        Assert.Equal(0, MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: -1));
    }

    [Fact]
    public void RawFilesReadTheSameAsGzipped()
    {
        foreach (var file in new[] { MnistFiles.TestImages, MnistFiles.TestLabels })
            File.WriteAllBytes(Path.Combine(_dir, file.Name), IdxTestFiles.Gunzip(Path.Combine(TestData.MnistDirectory, file.GzName)));

        var fromRaw = MnistData.LoadSet(_dir, MnistSplit.Test);
        var fromGz = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test);
        Assert.Equal(fromGz.Count, fromRaw.Count);
        Assert.Equal(fromGz.Labels, fromRaw.Labels);
        Assert.Equal(fromGz.Pixels, fromRaw.Pixels);
    }

    [Fact]
    public void TrainSplitHasTheKnownClassCounts()
    {
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train);
        Assert.Equal((60_000, 28, 28), (set.Count, set.Rows, set.Columns));
        Assert.Equal(47_040_000, set.Pixels.Length);
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
            Enumerable.Range(0, 10).Select(c => set.Labels.Count(l => l == c)));
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabelsNamesBothFilesAndCounts()
    {
        string images = IdxTestFiles.Write(_dir, "t10k-images-idx3-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Images(4, 28, 28)));
        string labels = IdxTestFiles.Write(_dir, "t10k-labels-idx1-ubyte", IdxTestFiles.Labels(1, 2, 3));
        var e = Assert.Throws<MnistDataException>(() => MnistData.LoadSet(_dir, MnistSplit.Test));
        Assert.StartsWith(images + ": ", e.Message);
        Assert.Contains("4 images", e.Message);
        Assert.Contains($"{labels} has 3 labels", e.Message);
    }

    [Fact]
    public void MissingSplitFileNamesBothCandidatePaths()
    {
        IdxTestFiles.Write(_dir, "t10k-images-idx3-ubyte", IdxTestFiles.Images(1, 28, 28));
        var e = Assert.Throws<MnistDataException>(() => MnistData.Load(new MLContext(), _dir, MnistSplit.Test));
        Assert.Contains(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), e.Message);
        Assert.Contains("not found", e.Message);
        Assert.EndsWith(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), e.Message);
    }

    [Fact]
    public void SyntheticSetRoundTripsThroughTheView()
    {
        IdxTestFiles.Write(_dir, "t10k-images-idx3-ubyte", IdxTestFiles.Images(3, 2, 2));
        IdxTestFiles.Write(_dir, "t10k-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(9, 0, 5)));
        var view = MnistData.Load(new MLContext(), _dir, MnistSplit.Test);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), view.Schema["Features"].Type);
        var (labels, features) = ReadAll(view);
        Assert.Equal(new uint[] { 9, 0, 5 }, labels);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, features[0]);
        Assert.Equal(new float[] { 8, 9, 10, 11 }, features[2]);
    }
}
