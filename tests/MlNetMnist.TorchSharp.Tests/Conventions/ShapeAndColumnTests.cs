using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;
using MlNetMnist.Serving;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Conventions;

/// <summary>
/// Shapes come from the feature column's declared dimensions (never guessed), and the prediction
/// service reads the model trained on them the right way round; custom column names work in the
/// service, in-process and from model.zip.
/// </summary>
public sealed class ShapeAndColumnTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-shapes");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TorchCnnOptions Mlp() => new() { Network = NetworkArchitecture.Mlp, Epochs = 3, BatchSize = 30, Threads = 2, LearningRate = 0.005, Optimizer = MlNetMnist.Training.OptimizerKind.Adam };

    [Fact]
    public void A20By30ColumnTrainsAs20x30AndTheServiceReadsTheModelAs20RowsOf30()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(120, 1, 20, 30, 3);
        var data = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 20, 30));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.TorchCnn(Mlp()));
        var model = pipeline.Fit(data);
        var classifier = TransformerChains.RequireOnly<TorchCnnTransformer>(model);
        Assert.Equal(new ImageShape(1, 20, 30), classifier.InputShape);

        string path = Path.Combine(_dir, "20x30.zip");
        ModelFile.Save(ml, model, data.Schema, path);
        Assert.Equal(new ImageShape(1, 20, 30), ImageShape.FromModelFile(path));
        using (var service = DigitPredictionService.Load(path))
        {
            Assert.Equal((1, 20, 30, 600), (service.InputShape.Channels, service.Height, service.Width, service.InputSize));
            Assert.Equal((30, 20), (service.Preprocessor.Options.Width, service.Preprocessor.Options.Height));
            Assert.Equal(classes[0].ToString(System.Globalization.CultureInfo.InvariantCulture), service.Predict(pixels[0]).Label);
        }
        using (var service = new DigitPredictionService(ml, model, data.Schema))
            Assert.Equal(new ImageShape(1, 20, 30), service.InputShape);
        classifier.Dispose();
    }

    [Fact]
    public void ANonSquareSizeWithoutDimensionsOrOptionsIsRefusedAndExplicitSizesWin()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(60, 1, 20, 30, 3);
        var flat = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 600));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(flat).Transform(flat);

        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.TorchCnn(Mlp()).Fit(keyed));
        output.WriteLine(e.Message);
        Assert.StartsWith("Column 'Features' has 600 values per row, which is not a square image (nor three square planes); give the column its dimensions", e.Message, StringComparison.Ordinal);

        var options = Mlp();
        (options.ImageHeight, options.ImageWidth, options.Epochs) = (20, 30, 1);
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(options).Fit(keyed);
        Assert.Equal(new ImageShape(1, 20, 30), model.InputShape);
    }

    [Fact]
    public void CustomColumnNamesWorkInTheServiceInProcessAndFromModelZip()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(120, 1, 16, 16, 3);
        var data = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 256), featureColumnName: "Pixels", labelColumnName: "Digit");
        var options = Mlp();
        (options.FeatureColumnName, options.LabelColumnName) = ("Pixels", "Digit");
        var model = ml.Transforms.Conversion.MapValueToKey("Digit").Append(ml.MulticlassClassification.Trainers.TorchCnn(options)).Fit(data);
        string path = Path.Combine(_dir, "custom.zip");
        ModelFile.Save(ml, model, data.Schema, path);
        var expected = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Take(20).ToArray();

        // Named explicitly (this threw NullReferenceException), or left to the model (read from model.zip's metadata).
        var named = new DigitPredictionServiceOptions { FeatureColumnName = "Pixels", LabelColumnName = "Digit" };
        using var explicitFromFile = DigitPredictionService.Load(path, named);
        using var implicitFromFile = DigitPredictionService.Load(path);
        using var implicitInProcess = new DigitPredictionService(ml, model, data.Schema);
        foreach (var service in new[] { explicitFromFile, implicitFromFile, implicitInProcess })
        {
            Assert.Equal(["0", "1", "2"], service.ClassNames);
            for (int i = 0; i < expected.Length; i++)
            {
                var prediction = service.Predict(pixels[i]);
                Assert.Equal(expected[i].Score.Max(), prediction.Probability, 5);
            }
        }

        // A name that is given must be the model's: a wrong one is refused, naming it and the model's columns, never replaced.
        var wrong = Assert.Throws<ArgumentException>(() => DigitPredictionService.Load(path, new DigitPredictionServiceOptions { FeatureColumnName = "Features" }));
        Assert.Contains("The model reads no pixel column 'Features' (DigitPredictionServiceOptions.FeatureColumnName; its input has: ", wrong.Message);
        Assert.Contains("Pixels (Vector<Single, 256>)", wrong.Message);

        foreach (var disposable in TransformerChains.Flatten(model).OfType<IDisposable>()) disposable.Dispose();
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}
