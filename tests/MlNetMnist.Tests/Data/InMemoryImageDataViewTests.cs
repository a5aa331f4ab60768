using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Data;

public class InMemoryImageDataViewTests
{
    private static InMemoryImageDataView Small(string label = "Label", string features = "Features") =>
        new([10, 20, 30, 40, 50, 60], 3, [7u, 1u], label, features);

    [Fact]
    public void ColumnNamesAreConfigurable()
    {
        var view = Small("Digit", "Pixels");
        Assert.Equal(["Digit", "Pixels"], view.Schema.Select(c => c.Name));
        Assert.Equal(NumberDataViewType.UInt32, view.Schema["Digit"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), view.Schema["Pixels"].Type);
        Assert.Equal((2, 3), (view.RowCount, view.ImageSize));
        Assert.Equal("Digit", view.LabelColumn.Name);
        Assert.Equal("Pixels", view.FeaturesColumn.Name);
    }

    [Fact]
    public void RejectsInconsistentArguments()
    {
        Assert.Throws<ArgumentException>(() => new InMemoryImageDataView(new byte[5], 3, [1u, 2u]));
        Assert.Throws<ArgumentException>(() => new InMemoryImageDataView(new byte[6], 3, [1u, 2u], "X", "X"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryImageDataView([], 0, []));
    }

    [Fact]
    public void CursorFollowsTheDataViewContract()
    {
        var view = Small();
        var cursors = view.GetRowCursorSet([view.LabelColumn], n: 4, new Random(1));
        var cursor = Assert.Single(cursors);
        using (cursor)
        {
            Assert.Equal(-1, cursor.Position);
            Assert.True(cursor.IsColumnActive(view.LabelColumn));
            Assert.False(cursor.IsColumnActive(view.FeaturesColumn));
            Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.FeaturesColumn));
            Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.LabelColumn));

            var label = cursor.GetGetter<uint>(view.LabelColumn);
            var id = cursor.GetIdGetter();
            uint value = 0;
            DataViewRowId rowId = default;
            Assert.Throws<InvalidOperationException>(() => label(ref value));

            Assert.True(cursor.MoveNext());
            label(ref value);
            id(ref rowId);
            Assert.Equal((0L, 0L, 7u, 0ul), (cursor.Position, cursor.Batch, value, rowId.Low));
            Assert.True(cursor.MoveNext());
            label(ref value);
            id(ref rowId);
            Assert.Equal((1L, 1u, 1ul), (cursor.Position, value, rowId.Low));
            Assert.False(cursor.MoveNext());
            Assert.False(cursor.MoveNext());
            Assert.Equal(-1, cursor.Position);
        }
    }

    [Fact]
    public void FeaturesGetterReusesTheBufferAndFillsItDensely()
    {
        var view = Small();
        using var cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(view.FeaturesColumn);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<double>>(view.FeaturesColumn));
        VBuffer<float> buffer = default;
        cursor.MoveNext();
        getter(ref buffer);
        Assert.True(buffer.IsDense);
        Assert.Equal(new float[] { 10, 20, 30 }, buffer.DenseValues());
        cursor.MoveNext();
        getter(ref buffer);
        Assert.Equal(new float[] { 40, 50, 60 }, buffer.DenseValues());
    }

    [Fact]
    public void FeaturesEqualWhatExtractPixelsGivesForTheSameGrayscaleImages()
    {
        var ml = new MLContext(seed: 1);
        var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 5);
        var images = Enumerable.Range(0, set.Count).Select(i =>
        {
            var bgra = new byte[784 * 4];
            for (int k = 0; k < 784; k++)
            {
                byte v = set.Pixels[i * 784 + k];
                (bgra[4 * k], bgra[4 * k + 1], bgra[4 * k + 2], bgra[4 * k + 3]) = (v, v, v, 255);
            }
            return new ImageRow { Image = MLImage.CreateFromPixels(28, 28, MLPixelFormat.Bgra32, bgra) };
        }).ToList();

        var extracted = ml.Transforms.ConvertToGrayscale("Gray", nameof(ImageRow.Image))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Gray", ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(ml.Data.LoadFromEnumerable(images))
            .Transform(ml.Data.LoadFromEnumerable(images));
        var pixelsType = Assert.IsType<VectorDataViewType>(extracted.Schema["Pixels"].Type);
        Assert.Equal(784, pixelsType.Size);
        var expected = extracted.GetColumn<float[]>("Pixels").ToArray();

        var actual = set.ToDataView().GetColumn<float[]>("Features").ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i]);
        foreach (var row in images) row.Image.Dispose();
    }

    [Fact]
    public void AnMlNetPipelineTrainsOnTheView()
    {
        var ml = new MLContext(seed: 1);
        var view = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 3_000);
        var train = ml.Data.TakeRows(view, 2_000);
        var test = ml.Data.SkipRows(view, 2_000);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 10));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.MicroAccuracy > 0.8, $"accuracy {metrics.MicroAccuracy}");
    }

    private sealed class ImageRow
    {
        [ImageType(28, 28)]
        public MLImage Image { get; set; } = null!;
    }
}
