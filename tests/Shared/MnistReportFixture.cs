using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// The default TorchCnn (1 epoch, 10% validation) trained on the first 2,000 MNIST training images in
/// the standard pipeline (keys in order of first occurrence: 5, 0, 4, 1, 9, ...), its report on the
/// first 1,000 test images, once in process and once after a save and load, and the report's files.
/// </summary>
public sealed class MnistReportFixture : IDisposable
{
    public const int TrainRows = 2000;
    public const int TestRows = 1000;

    public MnistReportFixture()
    {
        Ml = new MLContext(seed: 1);
        Train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: TestRows);
        TrainSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        TestSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: TestRows);
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, ValidationFraction = 0.1 }))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Model = pipeline.Fit(Train);
        Scored = Model.Transform(Test);
        Metrics = Ml.MulticlassClassification.Evaluate(Scored, topKPredictionCount: 5);
        Report = MetricsReport.Evaluate(Ml, Model, Test, new ReportOptions { SampleData = Train });

        Directory = TestData.NewTempDirectory("mlnetmnist-report");
        ModelPath = Path.Combine(Directory, "model.zip");
        ModelFile.Save(Ml, Model, Train.Schema, ModelPath);
        LoadedModel = ModelFile.Load(Ml, ModelPath, out _);
        LoadedMetrics = Ml.MulticlassClassification.Evaluate(ClassNames.WithScoreSlotNames(LoadedModel.Transform(Test)), topKPredictionCount: 5);
        LoadedReport = MetricsReport.Evaluate(Ml, LoadedModel, Test);

        Files = ReportWriter.WriteAll(Report, Path.Combine(Directory, "report"));
    }

    public MLContext Ml { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    /// <summary>The training rows, read independently of ML.NET.</summary>
    public MnistSet TrainSet { get; }

    /// <summary>The test rows, read independently of ML.NET.</summary>
    public MnistSet TestSet { get; }

    public ITransformer Model { get; }

    public IDataView Scored { get; }

    public MulticlassClassificationMetrics Metrics { get; }

    public MetricsReport Report { get; }

    public string Directory { get; }

    public string ModelPath { get; }

    public ITransformer LoadedModel { get; }

    public MulticlassClassificationMetrics LoadedMetrics { get; }

    public MetricsReport LoadedReport { get; }

    public ReportFiles Files { get; }

    public void Dispose()
    {
        (Model as IDisposable)?.Dispose();
        (LoadedModel as IDisposable)?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
