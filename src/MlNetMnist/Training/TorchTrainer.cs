using System.Diagnostics;
using MlNetMnist.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The training loop: shuffles the rows held in tensors each epoch, trains in batches with the chosen
/// optimiser and schedule, optionally evaluates a validation split, and reports every epoch.
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
        torch.random.manual_seed(o.Seed);
        var model = NetworkBuilder.Build(definition);
        model.to(_device);

        long n = train.Count;
        int batchesPerEpoch = (int)((n + o.BatchSize - 1) / o.BatchSize);
        using var optimizer = OptimizerFactory.Create(o, model.parameters());
        var scheduler = OptimizerFactory.CreateSchedule(o, optimizer, batchesPerEpoch);
        var shuffle = new Generator((ulong)o.Seed + 1);
        var total = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            model.train();
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: _device);
            using var correct = zeros(1, dtype: ScalarType.Int64, device: _device);
            using (var perm = randperm(n, generator: shuffle).to(_device))
            {
                for (long start = 0; start < n; start += o.BatchSize)
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    long end = Math.Min(start + o.BatchSize, n);
                    var index = perm.slice(0, start, end, 1);
                    var x = train.Features.index_select(0, index);
                    var y = train.Labels.index_select(0, index);

                    optimizer.zero_grad();
                    var logits = model.forward(x);
                    var loss = nn.functional.cross_entropy(logits, y, label_smoothing: o.LabelSmoothing);
                    loss.backward();
                    optimizer.step();
                    scheduler?.StepPerBatch(o.Schedule);

                    lossSum.add_(loss.detach().to(ScalarType.Float64) * (end - start));
                    correct.add_(logits.argmax(1).eq(y).sum());
                }
            }
            double learningRate = optimizer.ParamGroups.First().LearningRate;
            if (o.Schedule == LearningRateSchedule.Step) scheduler?.step();

            (double Loss, double Accuracy)? val = validation is null ? null : Evaluate(model, validation);
            watch.Stop();
            var progress = new TrainingProgress(
                epoch, o.Epochs,
                lossSum.ToDouble() / n, correct.ToInt64() / (double)n,
                val?.Loss, val?.Accuracy, learningRate,
                watch.Elapsed, total.Elapsed, n / watch.Elapsed.TotalSeconds);
            history.Add(progress);
            o.Progress?.Invoke(progress);
        }
        model.eval();
        return model;
    }

    /// <summary>Mean loss and accuracy of <paramref name="model"/> on <paramref name="data"/> (evaluation mode).</summary>
    public (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, TrainingData data)
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

internal static class SchedulerExtensions
{
    /// <summary>Steps schedules that change every batch (one-cycle).</summary>
    public static void StepPerBatch(this optim.lr_scheduler.LRScheduler scheduler, LearningRateSchedule kind)
    {
        if (kind == LearningRateSchedule.OneCycle) scheduler.step();
    }
}
