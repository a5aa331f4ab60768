using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Warns when the training pixels are not raw 0-255 values: the saved model, the image-input chain
/// and the prediction service all feed the network 0-255, and a fixed normalisation (the classic
/// preset's mean and standard deviation) assumes it. Data already scaled to 0-1 (e.g. by
/// <c>NormalizeMinMax</c>) or values beyond 0-255 get a warning naming the column and the range seen.
/// </summary>
internal static class PixelRangeCheck
{
    public static void Warn(TrainingData data, TorchCnnOptions options, TrainingLog log)
    {
        float min, max;
        using (NewDisposeScope())
        {
            min = data.Features.min().ToSingle();
            max = data.Features.max().ToSingle();
        }
        if (Describe(min, max, options) is { } warning) log.Warning(warning);
    }

    /// <summary>The warning for pixel values in [<paramref name="min"/>, <paramref name="max"/>], or null when they look like raw 0-255 pixels.</summary>
    internal static string? Describe(float min, float max, TorchCnnOptions options)
    {
        bool scaled = max <= 1f && min >= -1f && max > min;
        bool outside = min < 0f || max > 255f;
        if (!scaled && !outside) return null;
        var ci = CultureInfo.InvariantCulture;
        string seen = string.Format(ci, "Column '{0}' holds values from {1:G4} to {2:G4}; TorchCnn expects raw pixel values 0-255", options.FeatureColumnName, min, max);
        string consequence = options.NormalizationMean is float mean && options.NormalizationStd is float std
            ? string.Format(ci, ", and the fixed normalisation (NormalizationMean {0}, NormalizationStd {1}, as in the classic preset) assumes them: training will not learn.", mean, std)
            : ", which is also what the image-input chain and the prediction service give the saved model.";
        string fix = scaled
            ? " The values look already scaled to 0-1 (e.g. by NormalizeMinMax): give the raw pixels instead (normalisation is the network's first layer)."
            : " Give raw pixel values (or rescale them to 0-255).";
        return seen + consequence + fix;
    }
}
