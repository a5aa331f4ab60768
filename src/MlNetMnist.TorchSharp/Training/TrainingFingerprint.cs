using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using MlNetMnist.Networks;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// What a training run depends on, as named text values: the options that change the result, the
/// network (layers and input normalisation), the classes, and the size and SHA-256 of the training
/// and validation rows. A checkpoint records it; resuming compares it and names what differs.
/// </summary>
internal sealed class TrainingFingerprint
{
    private const string TrainingDataKey = "TrainingData";
    private const string ValidationDataKey = "ValidationData";

    public TrainingFingerprint(IDictionary<string, string> values) => Values = new SortedDictionary<string, string>(values, StringComparer.Ordinal);

    /// <summary>The values by name.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The fingerprint of a run of <paramref name="options"/> training <paramref name="definition"/> on the given data.</summary>
    public static TrainingFingerprint Create(TorchCnnOptions options, NetworkDefinition definition, IReadOnlyList<string> classNames, TrainingData train, TrainingData? validation)
    {
        var o = options;
        var ci = CultureInfo.InvariantCulture;
        string Number(double value) => value.ToString("R", ci);
        var values = new Dictionary<string, string>
        {
            ["Network"] = $"{definition.Name} {definition.Channels}x{definition.Height}x{definition.Width}",
            ["Layers"] = JsonSerializer.Serialize(definition.Layers.Select(l => new { Type = l.GetType().Name, Layer = (object)l })),
            ["Classes"] = string.Join(",", classNames),
            [nameof(o.Epochs)] = o.Epochs.ToString(ci),
            [nameof(o.BatchSize)] = o.BatchSize.ToString(ci),
            [nameof(o.LearningRate)] = Number(o.LearningRate),
            [nameof(o.Optimizer)] = o.Optimizer.ToString(),
            [nameof(o.WeightDecay)] = Number(o.WeightDecay),
            [nameof(o.Momentum)] = Number(o.Momentum),
            [nameof(o.Schedule)] = o.Schedule.ToString(),
            [nameof(o.StepEpochs)] = o.StepEpochs.ToString(ci),
            [nameof(o.StepGamma)] = Number(o.StepGamma),
            [nameof(o.LabelSmoothing)] = Number(o.LabelSmoothing),
            [nameof(o.Seed)] = o.ResolvedSeed.ToString(ci),
            [nameof(o.ValidationFraction)] = Number(o.ValidationFraction),
            [nameof(o.Augmentation)] = o.Augmentation is null ? "none" : JsonSerializer.Serialize(o.Augmentation),
            [nameof(o.EarlyStoppingPatience)] = o.EarlyStoppingPatience?.ToString(ci) ?? "none",
            [nameof(o.EarlyStoppingMinDelta)] = Number(o.EarlyStoppingMinDelta),
            [nameof(o.TargetValidationAccuracy)] = o.TargetValidationAccuracy is double t ? Number(t) : "none",
            ["TrainingRows"] = train.Count.ToString(ci),
            ["ValidationRows"] = (validation?.Count ?? 0).ToString(ci),
            [TrainingDataKey] = Hash(train),
            [ValidationDataKey] = validation is null ? "none" : Hash(validation),
        };
        // Only when on, so the fingerprints (and checkpoints) of runs without it stay the same.
        if (o.OutlierExposure is { } exposure)
            values[nameof(o.OutlierExposure)] = JsonSerializer.Serialize(exposure);
        return new TrainingFingerprint(values);
    }

    /// <summary>One line per value that differs between <paramref name="saved"/> (a checkpoint's) and this one.</summary>
    public IReadOnlyList<string> Differences(TrainingFingerprint saved)
    {
        var result = new List<string>();
        foreach (string key in Values.Keys.Union(saved.Values.Keys).Order(StringComparer.Ordinal))
        {
            string? now = Values.GetValueOrDefault(key);
            string? then = saved.Values.GetValueOrDefault(key);
            if (now == then) continue;
            result.Add(key is TrainingDataKey or ValidationDataKey or "Layers" || (now?.Length ?? 0) > 60 || (then?.Length ?? 0) > 60
                ? $"{key} differs"
                : $"{key} is {then ?? "missing"} in the checkpoint and {now ?? "missing"} now");
        }
        return result;
    }

    /// <summary>SHA-256 of the features and labels (first 16 hex digits).</summary>
    private static string Hash(TrainingData data)
    {
        using var scope = NewDisposeScope();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(data.Features.cpu().contiguous().bytes);
        sha.AppendData(data.Labels.cpu().contiguous().bytes);
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }
}
