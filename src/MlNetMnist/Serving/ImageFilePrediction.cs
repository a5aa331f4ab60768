namespace MlNetMnist.Serving;

/// <summary>The outcome for one image file: a prediction, or why there is none.</summary>
/// <param name="Path">The path as given (files found in a folder: the folder as given joined with the file's relative path).</param>
/// <param name="Prediction">The prediction, or null when the file could not be predicted.</param>
/// <param name="Error">What went wrong (the message names the file), or null.</param>
public sealed record ImageFilePrediction(string Path, DigitPrediction? Prediction, string? Error);
