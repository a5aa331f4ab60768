using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MlNetMnist.Serving;

/// <summary>The instruments of a <see cref="DigitModelPool"/> (names in <see cref="DigitModelTelemetry"/>).</summary>
internal sealed class DigitModelMetrics : IDisposable
{
    // Predictions take from well under a millisecond to a few hundred (big images, busy machine).
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _predictions;
    private readonly Counter<long> _needsReview;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _reloads;

    /// <param name="meterFactory">The container's meter factory (the meter then belongs to it), or null for a meter of our own.</param>
    /// <param name="observeVersions">The loaded models: name, version, generation.</param>
    public DigitModelMetrics(IMeterFactory? meterFactory, Func<IEnumerable<(string Name, string Version, long Generation)>> observeVersions)
    {
        string? version = typeof(DigitModelMetrics).Assembly.GetName().Version?.ToString();
        if (meterFactory is not null)
        {
            Meter = meterFactory.Create(new MeterOptions(DigitModelTelemetry.MeterName) { Version = version });
        }
        else
        {
            Meter = new Meter(DigitModelTelemetry.MeterName, version);
            _ownsMeter = true;
        }
        _predictions = Meter.CreateCounter<long>(DigitModelTelemetry.Predictions, "{prediction}", "Predictions made.");
        _needsReview = Meter.CreateCounter<long>(DigitModelTelemetry.NeedsReview, "{prediction}", "Predictions below the model's confidence threshold (to be reviewed by a person).");
        _errors = Meter.CreateCounter<long>(DigitModelTelemetry.Errors, "{error}", "Prediction requests that failed.");
        _duration = Meter.CreateHistogram(DigitModelTelemetry.Duration, "s", "Time of one prediction, image decoding and pre-processing included.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _reloads = Meter.CreateCounter<long>(DigitModelTelemetry.Reloads, "{reload}", "Attempts to load a changed model file.");
        Meter.CreateObservableGauge(DigitModelTelemetry.ModelGeneration, () => observeVersions().Select(m =>
            new Measurement<long>(m.Generation, new KeyValuePair<string, object?>(DigitModelTelemetry.ModelNameTag, m.Name),
                new KeyValuePair<string, object?>(DigitModelTelemetry.ModelVersionTag, m.Version))),
            "{generation}", "The generation of each loaded model (1 at the first load, +1 per new version), tagged with the version served.");
    }

    public Meter Meter { get; }

    public void Predicted(string model, string version, bool needsReview, long startTimestamp)
    {
        var tags = new TagList { { DigitModelTelemetry.ModelNameTag, model }, { DigitModelTelemetry.ModelVersionTag, version } };
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        _predictions.Add(1, tags);
        if (needsReview) _needsReview.Add(1, tags);
    }

    public void Failed(string model, string version, Exception error)
    {
        string type = error is ArgumentException or InvalidDataException ? "invalid_input" : error.GetType().FullName ?? error.GetType().Name;
        _errors.Add(1, new TagList
        {
            { DigitModelTelemetry.ModelNameTag, model },
            { DigitModelTelemetry.ModelVersionTag, version },
            { DigitModelTelemetry.ErrorTypeTag, type },
        });
    }

    public void Reloaded(string model, bool loaded) =>
        _reloads.Add(1, new KeyValuePair<string, object?>(DigitModelTelemetry.ModelNameTag, model),
            new KeyValuePair<string, object?>(DigitModelTelemetry.OutcomeTag, loaded ? "loaded" : "refused"));

    public void Dispose()
    {
        if (_ownsMeter) Meter.Dispose();
    }
}
