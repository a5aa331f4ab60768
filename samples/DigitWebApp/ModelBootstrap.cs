using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// Trains the model the app serves when there is none yet and the app was started with
/// <c>--train-if-missing</c> (about 20 s on 2 CPU cores); without it a missing model file stops the start.
/// </summary>
public static class ModelBootstrap
{
    /// <summary>
    /// For each configured model whose file does not exist: trains one (<paramref name="settings"/>.TrainIfMissing)
    /// or stops the start with a message that says how to get one.
    /// </summary>
    public static void CheckOrTrainModels(DigitModelPoolOptions? models, DigitWebAppOptions settings, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (name, model) in models?.Models ?? new Dictionary<string, DigitModelOptions>())
        {
            if (string.IsNullOrWhiteSpace(model.ModelPath)) continue; // the options validation names it
            string path = Path.GetFullPath(model.ModelPath);
            if (File.Exists(path)) continue;
            if (!settings.TrainIfMissing)
                throw new InvalidOperationException($"{path}: model file not found for model '{name}'. Point {DigitModelPoolOptions.SectionName}:Models:{name}:ModelPath " +
                    "(or --model) at a model.zip, or start with --train-if-missing to train one now.");
            TrainAndSave(path, settings.MnistDirectory, log);
        }
    }

    /// <summary>
    /// Trains the default CNN for 2 epochs on the first 20,000 MNIST training images, with automatic
    /// inversion of dark-on-light input, and saves it with the image-input chain in front (so the file
    /// also takes image paths, e.g. in samples/ModelConsumer).
    /// </summary>
    public static void TrainAndSave(string modelPath, string mnistDirectory, TextWriter log, int rows = 20_000)
    {
        if (!MnistDownloader.HasAllFiles(mnistDirectory))
        {
            log.WriteLine($"Downloading MNIST to {Path.GetFullPath(mnistDirectory)} ...");
            new MnistDownloader().EnsureAsync(mnistDirectory).GetAwaiter().GetResult();
        }
        log.WriteLine($"No model at {modelPath}: training one on {rows:N0} MNIST images ...");
        var ml = new MLContext(seed: 1);
        var train = MnistData.Load(ml, mnistDirectory, MnistSplit.Train, rows);
        // A tenth held out calibrates the probabilities (temperature) and the out-of-distribution score.
        var options = new TorchCnnOptions { Epochs = 2, InputPolarity = InputPolarity.AutoInvert, ValidationFraction = 0.1, Progress = p => log.WriteLine(p) };
        var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        try
        {
            var (withImages, inputSchema) = ml.PrependDigitImageInput(model, train.Schema);
            ModelFile.Save(ml, withImages, inputSchema, modelPath);
            log.WriteLine($"Model saved to {modelPath}");
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }
}
