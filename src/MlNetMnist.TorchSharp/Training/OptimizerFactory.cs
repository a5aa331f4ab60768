using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>Creates the optimiser and learning-rate scheduler named in the options.</summary>
internal static class OptimizerFactory
{
    public static optim.Optimizer Create(TorchCnnOptions o, IEnumerable<Parameter> parameters) => o.Optimizer switch
    {
        // The same updates as TorchSharp's optimisers, with the Scalars they pass to LibTorch kept alive (ScalarSafeAdamW).
        OptimizerKind.Adam => new ScalarSafeAdam(parameters, o.LearningRate, o.WeightDecay),
        OptimizerKind.AdamW => new ScalarSafeAdamW(parameters, o.LearningRate, o.WeightDecay),
        OptimizerKind.Sgd => new ScalarSafeSgd(parameters, o.LearningRate, o.Momentum, o.WeightDecay, nesterov: o.Momentum > 0),
        OptimizerKind.Adadelta => new ScalarSafeAdadelta(parameters, o.LearningRate, o.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Optimizer, "Unknown optimizer."),
    };

    /// <summary>The scheduler, or null for a constant rate. One-cycle steps per batch, step per epoch.</summary>
    public static optim.lr_scheduler.LRScheduler? CreateSchedule(TorchCnnOptions o, optim.Optimizer optimizer, int batchesPerEpoch) => o.Schedule switch
    {
        LearningRateSchedule.Constant => null,
        LearningRateSchedule.Step => optim.lr_scheduler.StepLR(optimizer, o.StepEpochs, o.StepGamma),
        LearningRateSchedule.OneCycle => optim.lr_scheduler.OneCycleLR(optimizer, o.LearningRate, total_steps: o.Epochs * batchesPerEpoch),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Schedule, "Unknown learning-rate schedule."),
    };
}
