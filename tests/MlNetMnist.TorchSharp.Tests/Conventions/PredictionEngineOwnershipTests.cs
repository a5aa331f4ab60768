using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Networks;

namespace MlNetMnist.Tests.Conventions;

/// <summary>
/// The pitfall documented in the README: a PredictionEngine created with ML.NET's default
/// (PredictionEngineOptions.OwnsTransformer, true by default) disposes the model when the engine is disposed; with OwnsTransformer = false
/// the model stays usable.
/// </summary>
public sealed class PredictionEngineOwnershipTests
{
    [Fact]
    public void DisposingAnEngineDisposesTheModelUnlessTheEngineWasToldItDoesNotOwnIt()
    {
        var ml = new MLContext(seed: 1);
        var (pixels, classes) = SyntheticImages.Create(60, 1, 8, 8, 2);
        var raw = SyntheticImages.ToDataView(ml, pixels, classes, new VectorDataViewType(NumberDataViewType.Single, 64));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        using var model = ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 20, Threads = 2 }).Fit(data);
        var row = new Row { Features = pixels[0] };

        using (var engine = ml.Model.CreatePredictionEngine<Row, Output>(model, new PredictionEngineOptions { OwnsTransformer = false }))
            Assert.Equal(2, engine.Predict(row).Score.Length);
        Assert.Equal(60, model.Transform(data).GetColumn<float[]>("Score").Count()); // still usable

        using (var owning = ml.Model.CreatePredictionEngine<Row, Output>(model)) // ML.NET's default: owns the model
            owning.Predict(row);
        var e = Assert.Throws<ObjectDisposedException>(() => model.Transform(data).GetColumn<float[]>("Score").ToList());
        Assert.Contains(nameof(TorchCnnTransformer), e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ObjectDisposedException>(() => model.Predict(pixels[0]));
        Assert.Contains(nameof(TorchCnnTransformer), e.Message, StringComparison.Ordinal);
    }

    private sealed class Row
    {
        [VectorType(64)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];
    }
}
