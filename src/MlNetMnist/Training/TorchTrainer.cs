using System.Diagnostics;
using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The training loop: shuffles the rows held in tensors each epoch, trains in batches with the chosen
/// optimiser, schedule and augmentation, evaluates the validation data if any, reports every epoch,
/// and stops early when asked to.
/// </summary>
internal sealed class TorchTrainer
{
    private readonly TorchCnnOptions _options;
    private readonly Device _device;

    public TorchTrainer(TorchCnnOptions options, Device device)
    {
        _options = options;
        _device = device;
    }

    /// <summary>Trains a new network of <paramref name="definition"/>; returns it in evaluation mode.</summary>
    public nn.Module<Tensor, Tensor> Train(NetworkDefinition definition, TrainingData train, TrainingData? validation, TrainingHistory history, CancellationToken cancellation = default)
    {
        var o = _options;
        if (o.NeedsValidation && validation is null)
            throw new ArgumentException("EarlyStoppingPatience and TargetValidationAccuracy need validation data: set TorchCnnOptions.ValidationFraction or pass validation data to Fit.");

        torch.random.manual_seed(o.Seed);
        var model = NetworkBuilder.Build(definition);
        model.to(_device);

        int batchesPerEpoch = (int)((train.Count + o.BatchSize - 1) / o.BatchSize);
        using var optimizer = OptimizerFactory.Create(o, model.parameters());
        var scheduler = OptimizerFactory.CreateSchedule(o, optimizer, batchesPerEpoch);
        var shuffle = new Generator((ulong)o.Seed + 1);
        var augmentation = new Generator((ulong)o.Seed + 2);
        var stopping = new EarlyStopping(o);
        var total = Stopwatch.StartNew();
        var training = new Stopwatch();

        try
        {
            history.StopReason = "completed all epochs";
            for (int epoch = 1; epoch <= o.Epochs; epoch++)
            {
                var watch = Stopwatch.StartNew();
                var trainedBefore = training.Elapsed;
                training.Start();
                var (loss, accuracy) = RunEpoch(model, definition, train, optimizer, scheduler, shuffle, augmentation, cancellation);
                double learningRate = optimizer.ParamGroups.First().LearningRate;
                if (o.Schedule == LearningRateSchedule.Step) scheduler?.step();
                training.Stop();

                (double Loss, double Accuracy)? val = validation is null ? null : Evaluate(model, validation);
                watch.Stop();
                var progress = new TrainingProgress(
                    epoch, o.Epochs, loss, accuracy, val?.Loss, val?.Accuracy, learningRate,
                    watch.Elapsed, total.Elapsed, train.Count / (training.Elapsed - trainedBefore).TotalSeconds,
                    training.Elapsed);
                history.Add(progress);
                history.SelectedEpoch = epoch;
                o.Progress?.Invoke(progress);

                if (val is { } v && stopping.ShouldStop(epoch, v.Accuracy, model, out string reason))
                {
                    history.StopReason = reason;
                    break;
                }
            }
            if (stopping.RestoreBest(model) is int best) history.SelectedEpoch = best;
        }
        finally
        {
            stopping.Dispose();
        }
        model.eval();
        return model;
    }

    private (double Loss, double Accuracy) RunEpoch(nn.Module<Tensor, Tensor> model, NetworkDefinition definition, TrainingData train,
        optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler? scheduler, Generator shuffle, Generator augmentation, CancellationToken cancellation)
    {
        var o = _options;
        long n = train.Count;
        model.train();
        // Accumulated in managed code: TorchSharp turns numbers into native Scalars whose finalizer
        // may free them while a native call still uses them (seen under GC pressure as
        // "For integral input tensors, argument alpha must not be a floating point number").
        double lossSum = 0;
        long correct = 0;
        using var perm = randperm(n, generator: shuffle).to(_device);
        for (long start = 0; start < n; start += o.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long end = Math.Min(start + o.BatchSize, n);
            var index = perm.slice(0, start, end, 1);
            var x = train.Features.index_select(0, index);
            var y = train.Labels.index_select(0, index);
            if (o.Augmentation is { } augment)
                x = augment.Apply(x, definition.Channels, definition.Height, definition.Width, augmentation);

            optimizer.zero_grad();
            var logits = model.forward(x);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: o.LabelSmoothing);
            loss.backward();
            optimizer.step();
            if (o.Schedule == LearningRateSchedule.OneCycle) scheduler?.step();

            lossSum += loss.ToDouble() * (end - start);
            correct += logits.argmax(1).eq(y).sum().ToInt64();
        }
        return (lossSum / n, correct / (double)n);
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
