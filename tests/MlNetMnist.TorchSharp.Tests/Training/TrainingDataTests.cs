using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Native;
using MlNetMnist.Training;
using TorchSharp;

namespace MlNetMnist.Tests.Training;

/// <summary>
/// Reading an <see cref="IDataView"/> into the training tensors: the tensors hold exactly the rows read
/// (the features share the read buffer's memory instead of copying it), whether or not the row count is
/// known up front, and a non-finite value is found wherever it sits in a vector.
/// </summary>
public class TrainingDataTests
{
    private const int Size = 37; // not a multiple of any vector width: a scalar tail is always there

    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(Size)]
        public float[] Features { get; set; } = [];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheTensorsHoldExactlyTheRowsRead(bool countKnown)
    {
        LibTorchNative.EnsureLoaded();
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 1500).Select(i => new Row
        {
            Label = (uint)(i % 3),
            Features = Enumerable.Range(0, Size).Select(_ => (float)random.Next(-1000, 1000) / 7f).ToArray(),
        }).ToList();
        var view = ml.Data.LoadFromEnumerable(rows);
        // A lazily enumerated source has no row count: the reader grows its buffers as it goes.
        IDataView data = countKnown ? view : ml.Data.LoadFromEnumerable(rows.Select(r => r));
        Assert.Equal(countKnown ? 1500 : null, data.GetRowCount());
        data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

        using var read = TrainingData.Read(data, "Features", Size, "Label");
        Assert.Equal(new long[] { 1500, Size }, read.Features.shape);
        Assert.Equal(1500, read.Count);
        float[] features = read.Features.data<float>().ToArray();
        long[] labels = read.Labels.data<long>().ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].Features, features.AsSpan(i * Size, Size).ToArray());
            Assert.Equal(i % 3, labels[i]); // keys in order of first appearance: 0, 1, 2
        }
        // Slices and copies made from the shared memory survive the source being freed.
        var (train, validation) = read.Split(0.2, seed: 1);
        using var trainPart = train;
        using var validationPart = validation;
        float[] before = validation.Features.data<float>().ToArray();
        Assert.All(before, v => Assert.Contains(v, features));
        read.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(300, validation.Count);
        Assert.Equal(before, validation.Features.data<float>().ToArray());
        Assert.True(train.Features.isfinite().all().ToBoolean());
    }

    [Fact]
    public void FirstNonFiniteFindsNaNAndInfinitiesAnywhere()
    {
        foreach (int length in new[] { 1, 7, 8, 16, 37, 784 })
        {
            var values = Enumerable.Range(0, length).Select(i => i % 2 == 0 ? -0f : 1e30f * (i % 5 - 2)).ToArray();
            Assert.Null(TrainingData.FirstNonFinite(values));
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                foreach (int at in new[] { 0, length / 2, length - 1 }.Distinct())
                {
                    var copy = (float[])values.Clone();
                    copy[at] = bad;
                    if (at + 1 < length) copy[length - 1] = float.NaN; // a later one must not be reported instead
                    Assert.Equal(at, TrainingData.FirstNonFinite(copy));
                }
        }
    }
}
