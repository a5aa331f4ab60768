using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlNetMnist.Serving;

/// <summary>
/// Health of the models of a <see cref="DigitModelPool"/>, for readiness probes: <b>Healthy</b> when
/// every model is loaded and a probe prediction (a blank image) gives finite probabilities that add up
/// to 1; <b>Degraded</b> when that holds but a model's file on disk is not the version served (a changed
/// file was refused, or the file is gone: the old version keeps serving); <b>Unhealthy</b> when a model
/// is not loaded or its probe fails. Register it with
/// <c>services.AddHealthChecks().AddCheck&lt;DigitModelHealthCheck&gt;("digit-models", tags: ["ready"])</c>.
/// </summary>
/// <param name="pool">The pool to check.</param>
public sealed class DigitModelHealthCheck(DigitModelPool pool) : IHealthCheck
{
    /// <summary>Checks every model of the pool.</summary>
    /// <param name="context">The health-check context (unused).</param>
    /// <param name="cancellationToken">Cancels between models.</param>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var data = new Dictionary<string, object>();
        var unhealthy = new List<string>();
        var degraded = new List<string>();
        foreach (var name in pool.ModelNames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = pool.GetModelInfo(name);
            data[$"{name}.loaded"] = info.IsLoaded;
            if (!info.IsLoaded)
            {
                unhealthy.Add($"model '{name}' is not loaded ({info.ModelPath})");
                continue;
            }
            data[$"{name}.version"] = info.Version!;
            data[$"{name}.generation"] = info.Generation;
            if (Probe(name) is { } failure)
            {
                unhealthy.Add($"model '{name}' version {info.Version}: {failure}");
                continue;
            }
            if (info.LastReloadError is { } error)
            {
                data[$"{name}.lastReloadError"] = error;
                degraded.Add($"model '{name}' serves version {info.Version}, but {error}");
            }
        }
        HealthCheckResult result = unhealthy.Count > 0
            ? HealthCheckResult.Unhealthy(string.Join("; ", unhealthy), data: data)
            : degraded.Count > 0
                ? HealthCheckResult.Degraded(string.Join("; ", degraded), data: data)
                : HealthCheckResult.Healthy($"{pool.ModelNames.Count} model(s) loaded; probe predictions succeed.", data);
        return Task.FromResult(result);
    }

    /// <summary>Null when a probe image (a bar of ink) scores to finite probabilities adding up to 1, else what is wrong.</summary>
    private string? Probe(string name)
    {
        try
        {
            using var lease = pool.Rent(name);
            var service = lease.Service;
            var prediction = service.Predict(ProbePixels(service.InputShape));
            if (prediction.IsEmpty) return "the probe image (a bar of ink) was taken for an empty image; check DigitPredictionServiceOptions.EmptyInkThreshold";
            double sum = 0;
            foreach (var c in prediction.Classes)
            {
                if (!float.IsFinite(c.Probability)) return $"the probe prediction gave a probability of {c.Probability} for class '{c.Label}'";
                sum += c.Probability;
            }
            return Math.Abs(sum - 1) <= 1e-3 ? null : $"the probe prediction's probabilities add up to {sum:G6}, not 1";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"the probe prediction failed: {e.Message}";
        }
    }

    /// <summary>A probe the model must really score: a vertical bar of full ink in the middle of a dark image (in every channel), like a "1".</summary>
    internal static float[] ProbePixels(ImageShape shape)
    {
        var pixels = new float[shape.Size];
        int barWidth = Math.Max(1, shape.Width / 7), left = (shape.Width - barWidth) / 2;
        int top = shape.Height / 4, bottom = Math.Max(top + 1, shape.Height * 3 / 4);
        for (int c = 0; c < shape.Channels; c++)
            for (int y = top; y < bottom; y++)
                for (int x = left; x < left + barWidth; x++)
                    pixels[(c * shape.Height + y) * shape.Width + x] = 255f;
        return pixels;
    }
}
