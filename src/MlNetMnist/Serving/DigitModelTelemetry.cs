namespace MlNetMnist.Serving;

/// <summary>
/// Names of the metrics a <see cref="DigitModelPool"/> records through <c>System.Diagnostics.Metrics</c>,
/// for OpenTelemetry (<c>AddMeter(DigitModelTelemetry.MeterName)</c>), <c>dotnet-counters</c> or a
/// <c>MeterListener</c>. Names follow the OpenTelemetry conventions (dotted, units in UCUM:
/// durations in seconds); a Prometheus exporter shows them as e.g. <c>mlnetmnist_predictions_total</c>
/// and <c>mlnetmnist_prediction_duration_seconds</c>.
/// </summary>
public static class DigitModelTelemetry
{
    /// <summary>The meter: <c>MlNetMnist.Serving</c>.</summary>
    public const string MeterName = "MlNetMnist.Serving";

    /// <summary>Counter of predictions made (tags: model name and version).</summary>
    public const string Predictions = "mlnetmnist.predictions";

    /// <summary>Counter of predictions below the model's confidence threshold (tags: model name and version).</summary>
    public const string NeedsReview = "mlnetmnist.predictions.needs_review";

    /// <summary>Counter of prediction requests that failed (tags: model name and version, <see cref="ErrorTypeTag"/>).</summary>
    public const string Errors = "mlnetmnist.prediction.errors";

    /// <summary>Histogram of the time one prediction takes, in seconds, image decoding included (tags: model name and version).</summary>
    public const string Duration = "mlnetmnist.prediction.duration";

    /// <summary>Counter of reload attempts (tags: model name, <see cref="OutcomeTag"/> <c>loaded</c> or <c>refused</c>).</summary>
    public const string Reloads = "mlnetmnist.model.reloads";

    /// <summary>
    /// Gauge per loaded model, the version it serves: its generation (1 at the first load, one more for
    /// each new version swapped in), tagged with the model name and the version (<see cref="ModelVersionTag"/>).
    /// </summary>
    public const string ModelGeneration = "mlnetmnist.model.generation";

    /// <summary>Tag: the model's name in the pool.</summary>
    public const string ModelNameTag = "mlnetmnist.model.name";

    /// <summary>Tag: the model's version (the first 12 hex digits of the SHA-256 of its file).</summary>
    public const string ModelVersionTag = "mlnetmnist.model.version";

    /// <summary>Tag: what failed (<c>invalid_input</c> for input that is not a valid image or pixel vector, else the exception's type).</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Tag: the outcome of a reload (<c>loaded</c> or <c>refused</c>).</summary>
    public const string OutcomeTag = "mlnetmnist.reload.outcome";
}
