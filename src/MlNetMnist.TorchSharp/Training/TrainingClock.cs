using System.Diagnostics;

namespace MlNetMnist.Training;

/// <summary>Wall time and training time of a run, including the earlier sessions of a resumed run.</summary>
internal sealed class TrainingClock
{
    private readonly TimeSpan _totalBefore;
    private readonly TimeSpan _trainingBefore;
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly Stopwatch _training = new();

    public TrainingClock(TimeSpan totalBefore, TimeSpan trainingBefore)
    {
        _totalBefore = totalBefore;
        _trainingBefore = trainingBefore;
    }

    /// <summary>Wall time of the run so far.</summary>
    public TimeSpan Total => _totalBefore + _total.Elapsed;

    /// <summary>Time spent training (not validating) so far.</summary>
    public TimeSpan Training => _trainingBefore + _training.Elapsed;

    public void StartTraining() => _training.Start();

    public void StopTraining() => _training.Stop();
}
