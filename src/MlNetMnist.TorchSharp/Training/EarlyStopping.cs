using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Decides after each epoch whether to stop (patience without improvement, or a target validation
/// accuracy reached) and keeps a copy of the best epoch's weights to restore at the end.
/// </summary>
internal sealed class EarlyStopping : IDisposable
{
    private readonly int? _patience;
    private readonly double _minDelta;
    private readonly double? _target;
    private Dictionary<string, Tensor>? _best;
    private double _bestAccuracy = double.NegativeInfinity;
    private int _bestEpoch;

    public EarlyStopping(TorchCnnOptions options)
    {
        _patience = options.EarlyStoppingPatience;
        _minDelta = options.EarlyStoppingMinDelta;
        _target = options.TargetValidationAccuracy;
    }

    /// <summary>Records the epoch's validation accuracy; true when training should stop.</summary>
    public bool ShouldStop(int epoch, double accuracy, nn.Module model, out string reason)
    {
        reason = "";
        if (_patience is not null && accuracy > _bestAccuracy + _minDelta)
        {
            _bestAccuracy = accuracy;
            _bestEpoch = epoch;
            KeepWeights(model);
        }
        if (_target is double target && accuracy >= target)
        {
            reason = $"validation accuracy {accuracy:P2} reached the target {target:P2} at epoch {epoch}";
            DropBest(); // the current weights are the ones that reached the target
            return true;
        }
        if (_patience is int patience && epoch - _bestEpoch >= patience)
        {
            reason = $"early stopping at epoch {epoch}: no validation gain above {_minDelta:P2} for {patience} epoch(s); kept epoch {_bestEpoch} ({_bestAccuracy:P2})";
            return true;
        }
        return false;
    }

    /// <summary>Loads the best weights into <paramref name="model"/>, if kept; returns that epoch.</summary>
    public int? RestoreBest(nn.Module model)
    {
        if (_best is null) return null;
        using (no_grad())
            foreach (var (name, tensor) in model.state_dict())
                tensor.copy_(_best[name]);
        return _bestEpoch;
    }

    /// <summary>The best validation accuracy so far and its epoch (0 when none is kept).</summary>
    public (double Accuracy, int Epoch) Best => (_bestAccuracy, _bestEpoch);

    /// <summary>The weights of the best epoch, when kept (owned by this instance).</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _best;

    /// <summary>Restores the state saved in a checkpoint; takes ownership of <paramref name="bestWeights"/>.</summary>
    public void Restore(double bestAccuracy, int bestEpoch, Dictionary<string, Tensor>? bestWeights)
    {
        DropBest();
        _bestAccuracy = bestAccuracy;
        _bestEpoch = bestEpoch;
        _best = bestWeights;
    }

    private void KeepWeights(nn.Module model)
    {
        DropBest();
        using var scope = NewDisposeScope(); // the detached views are temporary; the clones are kept
        _best = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().MoveToOuterDisposeScope());
    }

    private void DropBest()
    {
        if (_best is null) return;
        foreach (var t in _best.Values) t.Dispose();
        _best = null;
    }

    public void Dispose() => DropBest();
}
