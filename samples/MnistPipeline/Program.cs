// Composes the TorchSharp CNN with ordinary ML.NET transforms and trainers:
//  - an ML.NET linear baseline (SDCA maximum entropy on min-max normalised pixels) and the CNN, in
//    the same pipeline shape, compared on the same test split;
//  - a pipeline that keeps a copy of the raw pixels and filters rows before training;
//  - save, load and a PredictionEngine on the loaded model.
// Usage: dotnet run --project samples/MnistPipeline -c Release -- [mnist folder] [training rows]
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist;
using MlNetMnist.Data;

string dataDir = args.Length > 0 ? args[0] : Path.Combine("data", "mnist");
int rows = args.Length > 1 ? int.Parse(args[1]) : 10_000;
if (!MnistDownloader.HasAllFiles(dataDir))
    await new MnistDownloader().EnsureAsync(dataDir, new Progress<string>(Console.WriteLine));

var ml = new MLContext(seed: 1);
var train = MnistData.Load(ml, dataDir, MnistSplit.Train, maxRows: rows);
var test = MnistData.Load(ml, dataDir, MnistSplit.Test);

// 1. An ML.NET baseline: normalise pixels to [0, 1] and train a linear model.
var baseline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.NormalizeMinMax("Normalized", "Features"))
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Normalized", maximumNumberOfIterations: 10))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
Report("SDCA (ML.NET, linear)", baseline.Fit(train));

// 2. The CNN in the same place. It normalises inside the network, so it takes the raw pixels;
//    other transforms around it (filtering, copying columns, key mapping) compose as usual.
var cnn = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.Transforms.CopyColumns("Pixels", "Features"))
    .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions
    {
        FeatureColumnName = "Pixels",
        Epochs = 2,
        Progress = p => Console.WriteLine("  " + p),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var cnnModel = cnn.Fit(ml.Data.FilterRowsByMissingValues(train, "Features"));
Report("TorchCnn (fast CNN)", cnnModel);

// 3. Save as model.zip (ONNX inside), load it back and predict one image.
string modelPath = Path.Combine(Path.GetTempPath(), "mnist-pipeline-sample.zip");
ml.Model.Save(cnnModel, train.Schema, modelPath);
var loaded = ml.Model.Load(modelPath, out _);
// OwnsTransformer = false. By default an engine owns its model: disposing the engine would dispose
// `loaded` (for an in-process TorchCnn model, its network: the next Transform throws ObjectDisposedException).
using var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
var first = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).First();
var prediction = engine.Predict(first);
Console.WriteLine($"Loaded model: first test image is a {first.Label}, predicted {prediction.PredictedLabel} (p = {prediction.Score.Max():P1})");
Report("TorchCnn, loaded from model.zip", loaded); // still usable: the engine did not own it

// The models are disposed by their owner, here, once no engine or Transform uses them any more.
(loaded as IDisposable)?.Dispose();
(cnnModel as IDisposable)?.Dispose();

void Report(string name, ITransformer model)
{
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
    Console.WriteLine($"{name}: micro accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, log loss {metrics.LogLoss:F4}");
}

internal sealed class Digit
{
    public uint Label { get; set; }

    [VectorType(784)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

internal sealed class DigitPrediction
{
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = Array.Empty<float>();
}
