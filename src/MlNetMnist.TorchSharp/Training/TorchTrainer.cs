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
    private readonly TrainingLog _log;

    public TorchTrainer(TorchCnnOptions options, Device device, TrainingLog log, CheckpointSettings? checkpoint = null)
    {
        _options = options;
        _device = device;
        _log = log;
        _checkpoint = checkpoint;
    }

    /// <summary>
    /// Trains a new network of <paramref name="definition"/> (or resumes one); returns it in evaluation mode.
    /// With <paramref name="outliers"/>, every batch also carries non-digit images (<see cref="OutlierExposure"/>).
    /// </summary>
    public nn.Module<Tensor, Tensor> Train(NetworkDefinition definition, TrainingData train, TrainingData? validation, OutlierPool? outliers, CancellationToken cancellation = default)
    {
        var history = _log.History;
        var o = _options;
        if (o.NeedsValidation && validation is null)
            throw new ArgumentException("EarlyStoppingPatience and TargetValidationAccuracy need validation data: set TorchCnnOptions.ValidationFraction or pass validation data to Fit.");

        using var session = new TrainingSession(o, definition, _device, train.Count, history);
        history.StopReason = "completed all epochs";
        if (_checkpoint is { Resume: true } resume)
            TrainingCheckpoint.Read(resume.Path, resume.Fingerprint).Restore(session);

        RunEpochs(session, definition, train, validation, outliers, cancellation);
        if (session.Stopping.RestoreBest(session.Model) is int best) history.SelectedEpoch = best;
        var model = session.TakeModel();
        model.eval();
        return model;
    }

    private void RunEpochs(TrainingSession s, NetworkDefinition definition, TrainingData train, TrainingData? validation, OutlierPool? outliers, CancellationToken cancellation)
    {
        var o = _options;
        var p = s.Position;
        s.History.TrainingStarts();
        var clock = new TrainingClock(p.TotalTimeBefore, p.TrainingTimeBefore);
        while (!p.Finished && p.Epoch <= o.Epochs)
        {
            int epoch = p.Epoch;
            var watch = Stopwatch.StartNew();
            var trainedBefore = clock.Training;
            long rowsBefore = Math.Min(p.BatchesDone * o.BatchSize, train.Count);
            clock.StartTraining();
            RunEpoch(s, definition, train, validation, outliers, clock, cancellation);
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
            s.History.SelectedEpoch = epoch;
            if (epoch == o.Epochs && LearningCheck.Describe(progress, definition.Classes, s.BatchesPerEpoch, o.BatchSize) is { } notLearnt)
                _log.Warning(notLearnt);
            _log.Epoch(progress);

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

    private void RunEpoch(TrainingSession s, NetworkDefinition definition, TrainingData train, TrainingData? validation, OutlierPool? outliers, TrainingClock clock, CancellationToken cancellation)
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
            // The non-digit images (and the digits prepared like them) go through the network in the same batch
            // as the digits (as in the paper): a separate pass with batch norm frozen on the digits' running
            // statistics was tried and trained far worse.
            long rows = end - start;
            var extra = outliers?.Draw(p.Epoch, p.BatchesDone);
            var input = extra is null ? x : cat([x, extra.Digits, extra.NonDigits], 0);
            var output = s.HasDropout ? s.Random.WithModuleRandom(() => model.forward(input)) : model.forward(input);
            var logits = extra is null ? output : output.slice(0, 0, rows, 1);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: o.LabelSmoothing);
            var total = extra is null ? loss : ExposedLoss(output, y, extra, rows);
            total.backward();
            s.Optimizer.step();
            if (o.Schedule == LearningRateSchedule.OneCycle) s.Scheduler?.step();

            double batchLoss = total.ToDouble();
            if (!double.IsFinite(batchLoss) || batchLoss > DivergedLoss)
                throw Diverged(batchLoss, p.Epoch, p.BatchesDone + 1);
            // The reported training loss is the training rows' alone (the prepared digits and the outlier term are not the training rows).
            p.LossSum += (extra is null ? batchLoss : loss.ToDouble()) * rows;
            p.Correct += logits.argmax(1).eq(y).sum().ToInt64();
            p.BatchesDone++;
            live?.AfterBatch(end);
            o.AfterBatch?.Invoke(p.Epoch, p.BatchesDone);
            if (validation is not null && o.ValidationEveryBatches is int every && p.BatchesDone % every == 0 && end < n)
                CheckValidation(s, validation, clock);
        }
    }

    /// <summary>
    /// The loss of a batch with outlier exposure: the cross-entropy over the batch's digits and the prepared
    /// digits of <paramref name="extra"/>, plus the outlier term (<see cref="OutlierLoss"/>) of the non-digits.
    /// </summary>
    private Tensor ExposedLoss(Tensor output, Tensor y, OutlierBatch extra, long rows)
    {
        long digits = rows + extra.Digits.shape[0];
        var digitLogits = output.slice(0, 0, digits, 1);
        var digitLoss = nn.functional.cross_entropy(digitLogits, cat([y, extra.Labels], 0), label_smoothing: _options.LabelSmoothing);
        return digitLoss + OutlierLoss(digitLogits, output.slice(0, digits, output.shape[0], 1), _options.OutlierExposure!);
    }

    /// <summary>
    /// The outlier-exposure term, times <see cref="OutlierExposure.Weight"/>. <see cref="OutlierExposureLoss.Uniform"/>:
    /// the cross-entropy of the softmax of <paramref name="outlierLogits"/> against the uniform distribution,
    /// the mean over rows. <see cref="OutlierExposureLoss.DigitOrNot"/>: the logistic loss of "is a digit"
    /// with <c>logsumexp</c> of the logits as its log-odds, the mean over <paramref name="digitLogits"/>
    /// (towards a digit) plus the mean over <paramref name="outlierLogits"/> (towards not a digit).
    /// </summary>
    internal static Tensor OutlierLoss(Tensor digitLogits, Tensor outlierLogits, OutlierExposure exposure)
    {
        using var w = exposure.Weight.ToScalar();
        if (exposure.Loss == OutlierExposureLoss.Uniform)
            return nn.functional.log_softmax(outlierLogits, 1).mean([1]).mean().neg() * w;
        // -log sigmoid(L) = softplus(-L) for the digits, -log(1 - sigmoid(L)) = softplus(L) for the non-digits.
        var digits = nn.functional.softplus(digitLogits.logsumexp(1).neg()).mean();
        var nonDigits = nn.functional.softplus(outlierLogits.logsumexp(1)).mean();
        return (digits + nonDigits) * w;
    }

    /// <summary>
    /// A batch loss above this means training has diverged: the cross-entropy of a network that guesses
    /// uniformly among k classes is ln(k), under 12 even for 100,000 classes.
    /// </summary>
    internal const double DivergedLoss = 1e4;

    /// <summary>The error for a diverged run, naming the options that usually cause it.</summary>
    private InvalidOperationException Diverged(double loss, int epoch, long batch)
    {
        var o = _options;
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string what = double.IsFinite(loss) ? string.Format(ci, "reached {0:G3}", loss) : $"became {loss.ToString(ci)}";
        string normalisation = o.NormalizationMean is float m && o.NormalizationStd is float sd
            ? string.Format(ci, "TorchCnnOptions.NormalizationMean = {0} and NormalizationStd = {1} not matching the pixel values (raw 0-255 expected)", m, sd)
            : "pixel values far outside the raw 0-255 range the network expects";
        string start = string.Format(ci, "Training diverged: the loss {0} at epoch {1}, batch {2}, so the network's weights are no longer usable and no model is returned. ", what, epoch, batch);
        if (epoch == 1 && batch == 1)
            return new InvalidOperationException(start + string.Format(ci,
                "This is the first batch, before any weight update, so the learning rate is not the cause: the likely cause is {0}.", normalisation));
        return new InvalidOperationException(start + string.Format(ci,
            "The likely cause is TorchCnnOptions.LearningRate = {0} being too large for the {1} optimiser; try a value 10 times smaller " +
            "(the presets use 0.02 for AdamW, 0.001 for Adam, 1.0 for Adadelta). It can also come from {2}.",
            o.LearningRate, o.Optimizer, normalisation));
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
