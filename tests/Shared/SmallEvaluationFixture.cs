using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// The default TorchCnn trained for 1 epoch on the first 2,000 MNIST training images, in the standard
/// pipeline, and evaluated on the first 1,000 test images: once in-process, once after a save and load.
/// </summary>
public sealed class SmallEvaluationFixture : IDisposable
{
    public const int TrainRows = 2000;
    public const int TestRows = 1000;

    public SmallEvaluationFixture()
    {
        Ml = new MLContext(seed: 1);
        Train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: TestRows);
        TestLabels = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: TestRows).Labels;
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1 }))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Model = pipeline.Fit(Train);
        Scored = Model.Transform(Test);
        Metrics = Ml.MulticlassClassification.Evaluate(Scored, topKPredictionCount: 3);

        Directory = TestData.NewTempDirectory("mlnetmnist-reports");
        ModelPath = Path.Combine(Directory, "model.zip");
        ModelFile.Save(Ml, Model, Train.Schema, ModelPath);
        LoadedModel = ModelFile.Load(Ml, ModelPath, out _);
        LoadedScored = LoadedModel.Transform(Test);
        LoadedMetrics = Ml.MulticlassClassification.Evaluate(LoadedScored, topKPredictionCount: 3);
    }

    public MLContext Ml { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    /// <summary>The digits of the test rows, read independently of ML.NET.</summary>
    public byte[] TestLabels { get; }

    public ITransformer Model { get; }

    public IDataView Scored { get; }

    public MulticlassClassificationMetrics Metrics { get; }

    public string Directory { get; }

    public string ModelPath { get; }

    public ITransformer LoadedModel { get; }

    public IDataView LoadedScored { get; }

    public MulticlassClassificationMetrics LoadedMetrics { get; }

    public void Dispose()
    {
        (Model as IDisposable)?.Dispose();
        (LoadedModel as IDisposable)?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
