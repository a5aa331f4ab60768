using Microsoft.ML;

namespace MlNetMnist;

/// <summary>Catalog extension method that creates an ensemble of TorchSharp image classifiers.</summary>
public static class TorchCnnEnsembleCatalog
{
    /// <summary>
    /// An ensemble of TorchSharp networks (by default 5 fast CNNs with seeds 1-5) whose <c>Score</c> is
    /// the mean of the members' class probabilities; saved as one ONNX graph that ML.NET alone loads.
    /// Same columns as <see cref="TorchCnnCatalog.TorchCnn(MulticlassClassificationCatalog.MulticlassClassificationTrainers, TorchCnnOptions)"/>.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The members: a count and their options, or one options object per member.</param>
    public static TorchCnnEnsembleTrainer TorchCnnEnsemble(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TorchCnnEnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TorchCnnEnsembleTrainer(member => catalog.TorchCnn(member), options);
    }
}
