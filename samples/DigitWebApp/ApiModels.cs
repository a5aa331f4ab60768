using System.Text.Json.Serialization;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>A class and its probability.</summary>
/// <param name="Label">The class.</param>
/// <param name="Probability">Its probability, 0-1.</param>
public sealed record ClassProbabilityDto(string Label, float Probability);

/// <summary>The answer of <c>POST /api/predict</c>: the prediction, and the model version that made it.</summary>
/// <param name="Label">The most probable class; null for an image with no ink (<c>status</c> <c>empty</c>).</param>
/// <param name="Probability">Its probability; null for an empty image.</param>
/// <param name="Status"><c>ok</c>; <c>needs review</c> below the model's confidence threshold or when the image is not like a digit; <c>empty</c> when it holds no ink.</param>
/// <param name="Top">The most probable classes, most probable first (empty for an empty image).</param>
/// <param name="Classes">Every class with its probability (empty for an empty image).</param>
/// <param name="Model">The model's name.</param>
/// <param name="ModelVersion">The version that answered (the first 12 hex digits of the SHA-256 of its model.zip).</param>
/// <param name="Input">What the model saw: the prepared input image (e.g. the centred 28x28 digit), or null when not asked for.</param>
/// <param name="OutOfDistribution">True when the model's out-of-distribution score flags the image (not like the digits it was calibrated on); null when the model has no such score.</param>
public sealed record PredictionResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] float? Probability,
    string Status, IReadOnlyList<ClassProbabilityDto> Top,
    IReadOnlyList<ClassProbabilityDto> Classes, string Model, string ModelVersion, PreparedInputDto? Input = null, bool? OutOfDistribution = null)
{
    internal static PredictionResponse From(DigitPrediction p, DigitModelLease lease, PreparedInputDto? input = null) =>
        new(p.Label, p.IsEmpty ? null : p.Probability, p.Status, Dto(p.Top), Dto(p.Classes), lease.ModelName, lease.Version, input,
            p.OutOfDistributionScore is null ? null : p.OutOfDistribution);

    internal static ClassProbabilityDto[] Dto(IEnumerable<ClassProbability> classes) =>
        classes.Select(c => new ClassProbabilityDto(c.Label, c.Probability)).ToArray();
}

/// <summary>One image of a batch: its prediction, or why it has none.</summary>
/// <param name="Name">The file name of the form part.</param>
/// <param name="Label">The most probable class; null on error or for an empty image.</param>
/// <param name="Probability">Its probability; null on error or for an empty image.</param>
/// <param name="Status"><c>ok</c>, <c>needs review</c> or <c>empty</c>; null on error.</param>
/// <param name="Top">The most probable classes; null on error.</param>
/// <param name="Error">What is wrong with this image; null when it was predicted.</param>
public sealed record BatchItem(string Name, string? Label, float? Probability, string? Status, IReadOnlyList<ClassProbabilityDto>? Top, string? Error);

/// <summary>The answer of <c>POST /api/predict/batch</c>: one item per image, in order, all from one model version.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="ModelVersion">The version that answered every item.</param>
/// <param name="Succeeded">Images predicted.</param>
/// <param name="Failed">Images with an error.</param>
/// <param name="Results">One item per image, in the order of the request.</param>
public sealed record BatchResponse(string Model, string ModelVersion, int Succeeded, int Failed, IReadOnlyList<BatchItem> Results);

/// <summary>One model of <c>GET /api/models</c>.</summary>
/// <param name="Name">Its name.</param>
/// <param name="IsDefault">True for the model used when a request names none.</param>
/// <param name="Loaded">True once loaded.</param>
/// <param name="Version">The version served.</param>
/// <param name="Generation">1 at the first load, one more for each new version swapped in.</param>
/// <param name="LoadedAt">When the version served was loaded.</param>
/// <param name="LastReloadError">Why the file on disk is not the version served, if it is not.</param>
public sealed record ModelInfoDto(string Name, bool IsDefault, bool Loaded, string? Version, long Generation, DateTimeOffset? LoadedAt, string? LastReloadError);

/// <summary>The input the model saw: the image prepared from the request (grayscale values 0-255, row-major; channel-major for colour models).</summary>
/// <param name="Width">Its width.</param>
/// <param name="Height">Its height.</param>
/// <param name="Pixels">Its values, rounded.</param>
public sealed record PreparedInputDto(int Width, int Height, IReadOnlyList<int> Pixels)
{
    internal static PreparedInputDto From(float[] pixels, DigitPredictionService service) =>
        new(service.Width, service.Height, pixels.Select(v => (int)Math.Round(v)).ToArray());
}
