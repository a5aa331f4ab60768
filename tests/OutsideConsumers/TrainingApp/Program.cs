// A user's training app: references the MlNetMnist.TorchSharp package only (see .ci/outside-consumers).
// Trains the default CNN on a MNIST subset through an ML.NET pipeline that takes image files, saves
// model.zip, and writes test digits as PNG files named <index>_<label>.png for the scoring app.
// usage: TrainingApp MNIST_DIR MODEL_ZIP IMAGES_DIR
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetMnist;
using MlNetMnist.Data;
using MlNetMnist.Images;
using MlNetMnist.Reports;

string mnist = args[0], modelPath = args[1], imagesDir = args[2];
var ml = new MLContext(seed: 1);
var train = MnistData.Load(ml, mnist, MnistSplit.Train, maxRows: 6000);
var options = new TorchCnnOptions { Epochs = 2, Progress = p => Console.WriteLine(p) };
var pixelModel = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
    .Append(ml.MulticlassClassification.Trainers.TorchCnn(options))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(train);

var test = MnistData.Load(ml, mnist, MnistSplit.Test, maxRows: 1000);
var metrics = ml.MulticlassClassification.Evaluate(pixelModel.Transform(test));
Console.WriteLine($"Test accuracy (1,000 images): {metrics.MicroAccuracy:P2}");

var (model, inputSchema) = ml.PrependDigitImageInput(pixelModel, train.Schema);
ModelFile.Save(ml, model, inputSchema, modelPath);
Console.WriteLine($"Model saved to {modelPath}");

Directory.CreateDirectory(imagesDir);
var set = MnistData.LoadSet(mnist, MnistSplit.Test);
for (int i = 0; i < 200; i++)
    File.WriteAllBytes(Path.Combine(imagesDir, $"{i:D3}_{set.Labels[i]}.png"), ReportImages.ToPng(set.Pixels.AsSpan(i * 784, 784), ImageShape.Mnist));
Console.WriteLine($"200 test digits written to {imagesDir}");
