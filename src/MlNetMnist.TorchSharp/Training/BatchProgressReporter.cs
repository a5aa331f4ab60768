using System.Diagnostics;

namespace MlNetMnist.Training;

/// <summary>
/// Calls <see cref="TorchCnnOptions.BatchProgress"/> during one epoch: at most once per
/// <see cref="TorchCnnOptions.BatchProgressInterval"/> and after the last batch, from the loss and
/// accuracy the loop accumulates anyway (<see cref="TrainingPosition"/>), so reporting adds no work on
/// the tensors.
/// </summary>
internal sealed class BatchProgressReporter
{
    private readonly TorchCnnOptions _options;
    private readonly long _batches;
    private readonly TrainingPosition _position;
    private readonly long _rowsAtStart;
    private readonly long _rows;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan? _lastReport;

    /// <param name="options">The options with the callback and interval.</param>
    /// <param name="batchesPerEpoch">Batches in an epoch.</param>
    /// <param name="rows">Training rows in an epoch.</param>
    /// <param name="position">The loop's position (epoch, batches done, loss and accuracy sums of this epoch).</param>
    public BatchProgressReporter(TorchCnnOptions options, long batchesPerEpoch, long rows, TrainingPosition position)
    {
        _options = options;
        _batches = batchesPerEpoch;
        _position = position;
        _rows = rows;
        _rowsAtStart = position.BatchesDone * options.BatchSize;
    }

    /// <summary>After a batch that ended at row <paramref name="rowsDone"/> (exclusive) of the epoch.</summary>
    public void AfterBatch(long rowsDone)
    {
        var elapsed = _watch.Elapsed;
        bool last = _position.BatchesDone >= _batches;
        if (!last && _lastReport is { } previous && elapsed - previous < _options.BatchProgressInterval) return;
        _lastReport = elapsed;
        double rate = elapsed.TotalSeconds > 0 ? (rowsDone - _rowsAtStart) / elapsed.TotalSeconds : 0;
        long rowsLeft = Math.Max(0, _rows - rowsDone);
        var remaining = last || rate <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(rowsLeft / rate);
        _options.BatchProgress!(new BatchProgress(
            _position.Epoch, _options.Epochs, _position.BatchesDone, _batches,
            _position.LossSum / Math.Max(1, rowsDone), _position.Correct / (double)Math.Max(1, rowsDone),
            rate, elapsed, remaining));
    }
}
