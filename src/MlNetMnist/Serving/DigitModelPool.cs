using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MlNetMnist.Serving;

/// <summary>
/// Serves several named digit models, each loaded from its <c>model.zip</c> and reloaded when that file
/// changes: this library's counterpart of <c>Microsoft.Extensions.ML</c>'s <c>PredictionEnginePool</c>.
/// Thread-safe; register it with
/// <see cref="DigitModelPoolServiceCollectionExtensions.AddDigitModelPool(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.
/// </summary>
/// <remarks>
/// <para>Each model is a <see cref="DigitPredictionService"/> (a pool of prediction engines over one
/// loaded model). A request takes a <see cref="DigitModelLease"/> on the version being served, so a
/// reload never pulls a model from under a request: the new version is loaded beside the old one, swapped
/// in atomically, and the old one is disposed when its last request is done. A changed file that cannot be
/// loaded (truncated, not a model, wrong input) is refused with a log line, and the old version keeps
/// serving (see <see cref="DigitModelInfo.LastReloadError"/> and <see cref="DigitModelHealthCheck"/>).</para>
/// <para>Loads, reloads, refusals and errors are logged; predictions, their latency, the needs-review
/// count, errors and the version served are recorded as metrics (<see cref="DigitModelTelemetry"/>).</para>
/// </remarks>
public sealed class DigitModelPool : IDisposable
{
    private readonly Dictionary<string, ModelSlot> _slots;
    private readonly string? _defaultName;
    private readonly DigitModelMetrics _metrics;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates the pool; models are loaded on first use or by <see cref="LoadAll"/>.</summary>
    /// <param name="options">The models (validated here: an <see cref="ArgumentException"/> lists every problem).</param>
    /// <param name="loggerFactory">Where load, reload, refusal and error messages go; null for none.</param>
    /// <param name="meterFactory">The meter factory of the application's container; null to create the meter directly.</param>
    public DigitModelPool(DigitModelPoolOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DigitModelPool>();
        _defaultName = options.ResolveDefaultName();
        _metrics = new DigitModelMetrics(meterFactory, ObserveVersions);
        _slots = new Dictionary<string, ModelSlot>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, model) in options.Models)
            _slots.Add(name, new ModelSlot(name, model, _logger, _metrics));
        ModelNames = [.. _slots.Keys];
    }

    /// <summary>Creates the pool from the container's options (see the other constructor).</summary>
    /// <param name="options">The bound, validated options.</param>
    /// <param name="loggerFactory">Where messages go; null for none.</param>
    /// <param name="meterFactory">The container's meter factory; null to create the meter directly.</param>
    public DigitModelPool(IOptions<DigitModelPoolOptions> options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, loggerFactory, meterFactory)
    {
    }

    /// <summary>The names of the models, in configuration order.</summary>
    public IReadOnlyList<string> ModelNames { get; }

    /// <summary>The model used when none is named, or null when there are several and none is the default.</summary>
    public string? DefaultModelName => _defaultName;

    /// <summary>The meter the metrics are recorded on (for tests and in-process listeners).</summary>
    internal Meter Meter => _metrics.Meter;

    /// <summary>
    /// Takes a lease on the version of <paramref name="modelName"/> being served (loading it first if it
    /// is not loaded yet). Dispose the lease when the request is done.
    /// </summary>
    /// <param name="modelName">The model; null for the default model.</param>
    /// <exception cref="KeyNotFoundException">The pool has no model of that name (the message lists the names).</exception>
    /// <exception cref="InvalidOperationException">The model could not be loaded (the message says why), or no model was named and there is no default.</exception>
    public DigitModelLease Rent(string? modelName = null)
    {
        var slot = Slot(modelName);
        return new DigitModelLease(slot.Name, slot.Acquire(), _metrics, _logger);
    }

    /// <summary>Predicts from pixels with a model (a lease for just this call).</summary>
    /// <param name="pixels">The model's input pixels, raw values 0-255, row-major.</param>
    /// <param name="modelName">The model; null for the default model.</param>
    public DigitPrediction Predict(ReadOnlySpan<float> pixels, string? modelName = null)
    {
        using var lease = Rent(modelName);
        return lease.Predict(pixels);
    }

    /// <summary>Decodes, pre-processes and predicts an encoded image with a model (a lease for just this call).</summary>
    /// <param name="encoded">The image file's bytes (PNG, JPEG, BMP, ...).</param>
    /// <param name="modelName">The model; null for the default model.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image.</exception>
    public DigitPrediction PredictImage(ReadOnlySpan<byte> encoded, string? modelName = null)
    {
        using var lease = Rent(modelName);
        return lease.PredictImage(encoded);
    }

    /// <summary>
    /// Loads every model that is not loaded yet (at start-up, so that a missing or bad file stops the
    /// application before it takes traffic).
    /// </summary>
    /// <exception cref="InvalidOperationException">A model could not be loaded; the message names it and its file.</exception>
    public void LoadAll()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var slot in _slots.Values) slot.LoadFirst();
    }

    /// <summary>The state of a model: loaded or not, the version served, the last refused reload.</summary>
    /// <param name="modelName">The model; null for the default model.</param>
    public DigitModelInfo GetModelInfo(string? modelName = null) => Slot(modelName).Info();

    /// <summary>Checks a model's file now rather than waiting for the watcher (for tools and tests).</summary>
    internal void CheckForChange(string? modelName = null) => Slot(modelName).CheckForChange(notified: true);

    /// <summary>Stops watching the files and disposes each model once its last lease is given back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var slot in _slots.Values) slot.Dispose();
        _metrics.Dispose();
    }

    private ModelSlot Slot(string? modelName)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string name = modelName ?? _defaultName
            ?? throw new InvalidOperationException($"Name the model: this pool has several ({string.Join(", ", ModelNames)}) and no DefaultModel.");
        return _slots.TryGetValue(name, out var slot)
            ? slot
            : throw new KeyNotFoundException($"There is no digit model named '{name}' (models: {string.Join(", ", ModelNames)}).");
    }

    private IEnumerable<(string Name, string Version, long Generation)> ObserveVersions()
    {
        foreach (var slot in _slots.Values)
            if (slot.Current is { } served)
                yield return (slot.Name, served.Version, served.Generation);
    }
}
