using Microsoft.ML;

namespace MlNetMnist;

/// <summary>Catalog extension methods that create the TorchSharp image classifier.</summary>
public static class TorchCnnCatalog
{
    /// <summary>
    /// A TorchSharp convolutional network (or MLP) trained on raw pixel vectors: the fast MNIST CNN by
    /// default. The label must be a key type (use <c>MapValueToKey</c>); the features a known-size
    /// vector of Single pixel values 0-255. Produces <c>Score</c> and <c>PredictedLabel</c>. The trainer
    /// belongs to the catalog's <see cref="MLContext"/>: training writes its settings, progress and
    /// warnings to the context's <see cref="MLContext.Log"/>, and a null <see cref="TorchCnnOptions.Seed"/>
    /// comes from the context's seed.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">Network, epochs, optimiser, schedule, device and other options.</param>
    public static TorchCnnTrainer TorchCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TorchCnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TorchCnnTrainer(MlNetInternals.EnvironmentOf(catalog), options);
    }

    /// <summary>The trainer with default options and the given column names.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="featureColumnName">Vector of raw pixel values.</param>
    public static TorchCnnTrainer TorchCnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features) =>
        catalog.TorchCnn(new TorchCnnOptions { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName });
}
