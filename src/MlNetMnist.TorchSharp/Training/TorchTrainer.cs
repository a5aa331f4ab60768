using System.Diagnostics;
using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The training loop: shuffles the rows held in tensors each epoch, trains in batches with the chosen
/// optimiser, schedule and augmentation, evaluates the validation data if any, reports every epoch,
/// and stops early when asked to. With a checkpoint path it writes a checkpoint after every epoch and
/// when cancelled (at the start of a batch), and can resume from one.
/// </summary>
internal sealed class TorchTrainer
{
    private readonly TorchCnnOptions _options;
    private readonly Device _device;
    private readonly CheckpointSettings? _checkpoint;

    public TorchTrainer(TorchCnnOptions options, Device device, CheckpointSettings? checkpoint = null)
    {
        _options = options;
        _device = device;
        _checkpoint = checkpoint;
    }

    /// <summary>Trains a new network of <paramref name="definition"/> (or resumes one); returns it in evaluation mode.</summary>
    public nn.Module<Tensor, Tensor> Train(NetworkDefinition definition, TrainingData train, TrainingData? validation, TrainingHistory history, CancellationToken cancellation = default)
    {
        var o = _options;
        if (o.NeedsValidation && validation is null)
            throw new ArgumentException("EarlyStoppingPatience and TargetValidationAccuracy need validation data: set TorchCnnOptions.ValidationFraction or pass validation data to Fit.");

        using var session = new TrainingSession(o, definition, _device, train.Count, history);
        history.StopReason = "completed all epochs";
        if (_checkpoint is { Resume: true } resume)
            TrainingCheckpoint.Read(resume.Path, resume.Fingerprint).Restore(session);

        RunEpochs(session, definition, train, validation, cancellation);
        if (session.Stopping.RestoreBest(session.Model) is int best) history.SelectedEpoch = best;
        var model = session.TakeModel();
        model.eval();
        return model;
    }

    private void RunEpochs(TrainingSession s, NetworkDefinition definition, TrainingData train, TrainingData? validation, CancellationToken cancellation)
    {
        var o = _options;
        var p = s.Position;
        var clock = new TrainingClock(p.TotalTimeBefore, p.TrainingTimeBefore);
        while (!p.Finished && p.Epoch <= o.Epochs)
        {
            int epoch = p.Epoch;
            var watch = Stopwatch.StartNew();
            var trainedBefore = clock.Training;
            long rowsBefore = Math.Min(p.BatchesDone * o.BatchSize, train.Count);
            clock.StartTraining();
            RunEpoch(s, definition, train, validation, clock, cancellation);
            double loss = p.LossSum / train.Count, accuracy = p.Correct / (double)train.Count;
            double learningRate = s.Optimizer.ParamGroups.First().LearningRate;
            if (o.Schedule == LearningRateSchedule.Step) s.Scheduler?.step();
            clock.StopTraining();

            (double Loss, double Accuracy)? val = validation is null ? null : Evaluate(s.Model, validation);
            watch.Stop();
            var progress = new TrainingProgress(
                epoch, o.Epochs, loss, accuracy, val?.Loss, val?.Accuracy, learningRate,
                watch.Elapsed, clock.Total, (train.Count - rowsBefore) / (clock.Training - trainedBefore).TotalSeconds,
                clock.Training);
            s.History.Add(progress);
            s.History.SelectedEpoch = epoch;
            o.Progress?.Invoke(progress);

            s.Random.EndEpoch();
            p.NextEpoch();
            if (val is { } v && s.Stopping.ShouldStop(epoch, v.Accuracy, s.Model, out string reason))
            {
                s.History.StopReason = reason;
                p.Finished = true;
            }
            SaveCheckpoint(s, clock);
        }
    }

    private void RunEpoch(TrainingSession s, NetworkDefinition definition, TrainingData train, TrainingData? validation, TrainingClock clock, CancellationToken cancellation)
    {
        var o = _options;
        var p = s.Position;
        long n = train.Count;
        var model = s.Model;
        model.train();
        // Loss and accuracy are accumulated in managed code: TorchSharp turns numbers into native Scalars
        // whose finalizer may free them while a native call still uses them (seen under GC pressure as
        // "For integral input tensors, argument alpha must not be a floating point number").
        using var order = s.Random.BeginEpoch(n);
        using var perm = order.to(_device);
        var live = o.BatchProgress is null ? null : new BatchProgressReporter(o, s.BatchesPerEpoch, n, p);
        for (long start = p.BatchesDone * o.BatchSize; start < n; start += o.BatchSize)
        {
            if (cancellation.IsCancellationRequested)
                throw Interrupt(s, clock, cancellation);
            using var scope = NewDisposeScope();
            long end = Math.Min(start + o.BatchSize, n);
            var index = perm.slice(0, start, end, 1);
            var x = train.Features.index_select(0, index);
            var y = train.Labels.index_select(0, index);
            if (o.Augmentation is { } augment)
                x = augment.Apply(x, definition.Channels, definition.Height, definition.Width, s.Random.Augmentation);

            s.Optimizer.zero_grad();
            var logits = s.HasDropout ? s.Random.WithModuleRandom(() => model.forward(x)) : model.forward(x);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: o.LabelSmoothing);
            loss.backward();
            s.Optimizer.step();
            if (o.Schedule == LearningRateSchedule.OneCycle) s.Scheduler?.step();

            p.LossSum += loss.ToDouble() * (end - start);
            p.Correct += logits.argmax(1).eq(y).sum().ToInt64();
            p.BatchesDone++;
            live?.AfterBatch(end);
            o.AfterBatch?.Invoke(p.Epoch, p.BatchesDone);
            if (validation is not null && o.ValidationEveryBatches is int every && p.BatchesDone % every == 0 && end < n)
                CheckValidation(s, validation, clock);
        }
    }

    /// <summary>A mid-epoch look at the validation data, outside the training time (see <see cref="ValidationCheck"/>).</summary>
    private static void CheckValidation(TrainingSession s, TrainingData validation, TrainingClock clock)
    {
        clock.StopTraining();
        var (loss, accuracy) = Evaluate(s.Model, validation);
        s.History.Add(new ValidationCheck(s.Position.Epoch, s.Position.BatchesDone, clock.Training, loss, accuracy));
        clock.StartTraining();
    }

    /// <summary>Writes a checkpoint of the current position, if asked for, and describes the stop.</summary>
    private TrainingInterruptedException Interrupt(TrainingSession s, TrainingClock clock, CancellationToken cancellation)
    {
        SaveCheckpoint(s, clock);
        return new TrainingInterruptedException(s.Position.Epoch, _options.Epochs, s.Position.BatchesDone, s.BatchesPerEpoch, _checkpoint?.Path, cancellation);
    }

    private void SaveCheckpoint(TrainingSession s, TrainingClock clock)
    {
        if (_checkpoint is { } c)
            TrainingCheckpoint.Write(c.Path, s, c.Fingerprint, clock.Total, clock.Training);
    }

    /// <summary>Mean loss and accuracy of <paramref name="model"/> on <paramref name="data"/> (evaluation mode).</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, TrainingData data)
    {
        model.eval();
        using var noGrad = no_grad();
        double loss = 0;
        long correct = 0;
        const int batch = 1000;
        for (long start = 0; start < data.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            long end = Math.Min(start + batch, data.Count);
            var x = data.Features.slice(0, start, end, 1);
            var y = data.Labels.slice(0, start, end, 1);
            var logits = model.forward(x);
            loss += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).ToDouble();
            correct += logits.argmax(1).eq(y).sum().ToInt64();
        }
        model.train();
        return (loss / data.Count, correct / (double)data.Count);
    }
}
