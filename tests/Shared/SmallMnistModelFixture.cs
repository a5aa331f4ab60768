using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// One model trained once for the tests of a class: the fast CNN on the first 3,000 MNIST training
/// images for 2 epochs, inside the standard ML.NET pipeline (MapValueToKey, trainer, MapKeyToValue).
/// </summary>
public sealed class SmallMnistModelFixture : IDisposable
{
    public const int TrainRows = 3000;

    public SmallMnistModelFixture()
    {
        Ml = new MLContext(seed: 1);
        Train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        Test = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Test);
        var options = new TorchCnnOptions { Epochs = 2, BatchSize = 64, ValidationFraction = 0.1, Progress = Epochs.Add };
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Model = pipeline.Fit(Train);
    }

    public MLContext Ml { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public List<TrainingProgress> Epochs { get; } = new();


    public ITransformer Model { get; }

    public TorchCnnTransformer Classifier => ((IEnumerable<ITransformer>)Model).OfType<TorchCnnTransformer>().Single();

    public void Dispose() => (Model as IDisposable)?.Dispose();
}
