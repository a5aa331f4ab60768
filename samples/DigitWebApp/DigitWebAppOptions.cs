namespace DigitWebApp;

/// <summary>
/// The web app's own settings (section <c>DigitWebApp</c> of <c>appsettings.json</c>, or
/// <c>--DigitWebApp:Name value</c> on the command line): request limits, shutdown, start-up training.
/// The models themselves are in the <c>DigitModels</c> section (<see cref="MlNetMnist.Serving.DigitModelPoolOptions"/>).
/// </summary>
public sealed class DigitWebAppOptions
{
    /// <summary>The configuration section: <c>DigitWebApp</c>.</summary>
    public const string SectionName = "DigitWebApp";

    /// <summary>Largest image accepted, by <c>/api/predict</c> (the request body) and per file by <c>/api/predict/batch</c>. Default 4 MiB.</summary>
    public int MaxImageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most images in one <c>/api/predict/batch</c> request. Default 64.</summary>
    public int MaxBatchImages { get; set; } = 64;

    /// <summary>Largest <c>/api/predict/batch</c> request body (and Kestrel's limit for any request). Default 32 MiB.</summary>
    public long MaxBatchBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// How long a stopping app (SIGTERM, Ctrl+C) waits for requests in flight before it exits; readiness
    /// reports "not ready" from the first moment of the stop. Default 15 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Train a model at start-up for each configured model file that does not exist (default false: a missing file stops the start).</summary>
    public bool TrainIfMissing { get; set; }

    /// <summary>Where MNIST is (or is downloaded to) for that training. Default <c>data/mnist</c>.</summary>
    public string MnistDirectory { get; set; } = "data/mnist";

    /// <summary>Every problem with these settings (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxImageBytes < 1) yield return $"{SectionName}:MaxImageBytes must be at least 1.";
        if (MaxBatchImages < 1) yield return $"{SectionName}:MaxBatchImages must be at least 1.";
        if (MaxBatchBytes < MaxImageBytes) yield return $"{SectionName}:MaxBatchBytes must be at least MaxImageBytes ({MaxImageBytes}).";
        if (ShutdownTimeout < TimeSpan.Zero) yield return $"{SectionName}:ShutdownTimeout must not be negative.";
    }
}
