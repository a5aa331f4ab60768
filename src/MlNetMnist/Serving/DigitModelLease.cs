using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Data;

namespace MlNetMnist.Serving;

/// <summary>
/// One version of a named model, held for the time of a request (see <see cref="DigitModelPool.Rent"/>):
/// while the lease is open a reload may swap in a new version, but this one stays usable and is
/// disposed only after every lease on it is disposed. Predictions made through the lease are counted
/// in the pool's metrics; dispose the lease when done (<c>using</c>).
/// </summary>
public sealed class DigitModelLease : IDisposable
{
    private readonly ServedModel _model;
    private readonly DigitModelMetrics _metrics;
    private readonly ILogger _logger;
    private int _disposed;

    internal DigitModelLease(string name, ServedModel model, DigitModelMetrics metrics, ILogger logger)
    {
        ModelName = name;
        _model = model;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The model's name in the pool.</summary>
    public string ModelName { get; }

    /// <summary>The version this lease holds: the first 12 hex digits of the SHA-256 of the model file.</summary>
    public string Version => _model.Version;

    /// <summary>The generation of this version (1 for the first load, one more for each version swapped in).</summary>
    public long Generation => _model.Generation;

    /// <summary>
    /// The service of this version (class names, input size, pre-processor...). Predictions made directly
    /// on it are not counted in the pool's metrics: use the lease's own methods for that.
    /// </summary>
    public DigitPredictionService Service
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _model.Service;
        }
    }

    /// <summary>Predicts from the model's input pixels (see <see cref="DigitPredictionService.Predict"/>).</summary>
    /// <param name="pixels"><see cref="DigitPredictionService.InputSize"/> raw values 0-255, row-major.</param>
    public DigitPrediction Predict(ReadOnlySpan<float> pixels)
    {
        var service = Service;
        long start = Stopwatch.GetTimestamp();
        try
        {
            return Counted(service.Predict(pixels), start);
        }
        catch (Exception e)
        {
            Failed(e);
            throw;
        }
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, ...), pre-processes it and predicts (see <see cref="DigitPredictionService.PredictImage(ReadOnlySpan{byte})"/>).</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image.</exception>
    public DigitPrediction PredictImage(ReadOnlySpan<byte> encoded)
    {
        var service = Service;
        long start = Stopwatch.GetTimestamp();
        try
        {
            return Counted(service.PredictImage(encoded), start);
        }
        catch (Exception e)
        {
            Failed(e);
            throw;
        }
    }

    /// <summary>
    /// As <see cref="PredictImage(ReadOnlySpan{byte})"/>, also giving the input the model saw (the image
    /// prepared by <see cref="DigitPredictionService.PrepareImage(ReadOnlySpan{byte})"/>), e.g. to show it.
    /// </summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <param name="preparedInput">The prepared pixels the prediction is for.</param>
    /// <exception cref="InvalidDataException">The bytes are not a complete image.</exception>
    public DigitPrediction PredictImage(ReadOnlySpan<byte> encoded, out float[] preparedInput)
    {
        var service = Service;
        long start = Stopwatch.GetTimestamp();
        try
        {
            preparedInput = service.PrepareImage(encoded);
            return Counted(service.Predict(preparedInput), start);
        }
        catch (Exception e)
        {
            Failed(e);
            throw;
        }
    }

    /// <summary>Pre-processes an in-memory image and predicts (see <see cref="DigitPredictionService.PredictImage(MLImage)"/>).</summary>
    /// <param name="image">The image, of any size and polarity.</param>
    public DigitPrediction PredictImage(MLImage image)
    {
        var service = Service;
        long start = Stopwatch.GetTimestamp();
        try
        {
            return Counted(service.PredictImage(image), start);
        }
        catch (Exception e)
        {
            Failed(e);
            throw;
        }
    }

    /// <summary>Gives the version back; the last lease on a version that has been swapped out disposes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _model.Release();
    }

    private DigitPrediction Counted(DigitPrediction prediction, long start)
    {
        _metrics.Predicted(ModelName, _model.Version, prediction.NeedsReview, start);
        return prediction;
    }

    private void Failed(Exception e)
    {
        _metrics.Failed(ModelName, _model.Version, e);
        if (e is ArgumentException or InvalidDataException) DigitModelLog.InvalidInput(_logger, ModelName, e.Message);
        else DigitModelLog.PredictionFailed(_logger, e, ModelName, _model.Version);
    }
}
