// A user's scoring app: references the MlNetMnist runtime package only (no TorchSharp, no LibTorch;
// see .ci/outside-consumers). Loads model.zip and predicts image files named <index>_<label>.png.
// usage: ScoringApp MODEL_ZIP IMAGES_DIR   (exit code 1 when accuracy is below 90%)
using MlNetMnist.Serving;

string modelPath = args[0], imagesDir = args[1];
using var service = DigitPredictionService.Load(modelPath);
int total = 0, correct = 0;
foreach (var result in service.PredictImageFiles([imagesDir]))
{
    if (result.Prediction is not { } p)
    {
        Console.Error.WriteLine($"error: {result.Error}");
        return 1;
    }
    string expected = Path.GetFileNameWithoutExtension(result.Path).Split('_')[1];
    total++;
    if (p.Label == expected) correct++;
}
double accuracy = correct / (double)Math.Max(1, total);
Console.WriteLine($"{correct} of {total} image files predicted right ({accuracy:P1}) by {modelPath}, with the runtime package alone");
bool torchLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.Contains("Torch", StringComparison.OrdinalIgnoreCase) == true);
Console.WriteLine($"TorchSharp loaded in this process: {torchLoaded}");
return total > 0 && accuracy >= 0.9 && !torchLoaded ? 0 : 1;
