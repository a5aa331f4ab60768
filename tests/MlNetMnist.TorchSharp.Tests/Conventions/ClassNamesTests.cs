using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Conventions;

/// <summary>
/// Class names survive a model saved and loaded with ML.NET's own Save and Load: the loaded Score has
/// the class names as slot names (they travel in the ONNX graph), so the README's code labels the
/// confusion table correctly also for the loaded model, with MapValueToKey's default first-appearance
/// key order (MNIST: 5, 0, 4, 1, 9, ...) and with text labels.
/// </summary>
public sealed class ClassNamesTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-classnames");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheReadmesCodeGivesACorrectlyLabelledConfusionTableForTheLoadedModelWithFirstAppearanceKeys()
    {
        // The README's example as written (smaller data, one epoch).
        var ml = new MLContext(seed: 1);
        IDataView train = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: 2000);
        IDataView test = MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 1000);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        string path = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        var loadedMetrics = ml.MulticlassClassification.Evaluate(loaded.Transform(test));

        string table = loadedMetrics.ConfusionMatrix.GetFormattedConfusionTable();
        output.WriteLine(table);
        // Key order is first appearance: the classes are 5, 0, 4, 1, 9, 2, ... and the table says so.
        string[] keyOrder = ["5", "0", "4", "1", "9", "2", "3", "6", "7", "8"];
        Assert.Equal(keyOrder, SlotNames(loaded.Transform(test).Schema["Score"]));
        Assert.Equal(metrics.ConfusionMatrix.GetFormattedConfusionTable(), table);
        AssertRowsAreTheirClasses(ml, loaded.Transform(test), loadedMetrics.ConfusionMatrix, keyOrder, "Label");
        foreach (var disposable in TransformerChains.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
    }

    [Fact]
    public void TextLabelsKeepTheirNamesInTheLoadedModelsConfusionTable()
    {
        var ml = new MLContext(seed: 1);
        string[] names = ["dog", "cat", "bird"]; // first appearance differs from alphabetical order
        var (pixels, classes) = SyntheticImages.Create(180, 1, 12, 12, 3);
        var rows = pixels.Zip(classes, (p, c) => new TextRow { Features = p, Animal = names[c] }).ToArray();
        var schema = SchemaDefinition.Create(typeof(TextRow));
        schema[nameof(TextRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 12, 12);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Animal")
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { LabelColumnName = "Animal", Network = NetworkArchitecture.Mlp, Epochs = 3, BatchSize = 30, Threads = 2 }));
        var model = pipeline.Fit(data);
        string path = Path.Combine(_dir, "text.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        var scored = loaded.Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Animal");

        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        Assert.Equal(names, SlotNames(scored.Schema["Score"]));
        Assert.Equal(names, MlNetMnist.ClassNames.FromSchema(scored.Schema, 3, labelColumnName: "Animal"));
        Assert.Contains("dog", metrics.ConfusionMatrix.GetFormattedConfusionTable(), StringComparison.Ordinal);
        AssertRowsAreTheirClasses(ml, scored, metrics.ConfusionMatrix, names, "Animal");
        foreach (var disposable in TransformerChains.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
    }

    /// <summary>
    /// Row i of the confusion matrix counts the rows whose label is names[i] (read through the label's
    /// key values, not its key index): the labels ML.NET prints are the true classes of the counts.
    /// </summary>
    private static void AssertRowsAreTheirClasses(MLContext ml, IDataView scored, ConfusionMatrix matrix, string[] names, string labelColumn)
    {
        var truth = ml.Transforms.Conversion.MapKeyToValue("TrueClass", labelColumn).Fit(scored).Transform(scored);
        var type = truth.Schema["TrueClass"].Type.RawType;
        var labels = type == typeof(ReadOnlyMemory<char>)
            ? truth.GetColumn<string>("TrueClass").ToArray()
            : truth.GetColumn<uint>("TrueClass").Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        for (int i = 0; i < names.Length; i++)
            Assert.Equal(labels.Count(l => l == names[i]), matrix.Counts[i].Sum());
    }

    private static string[] SlotNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    private sealed class TextRow
    {
        public float[] Features { get; set; } = [];

        public string Animal { get; set; } = "";
    }
}
