using MlNetMnist.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// Everything a training run changes as it goes: the network, the optimiser and its schedule, the
/// random streams, early stopping, the history and the position. A checkpoint saves and restores it.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    private bool _ownsModel = true;

    public TrainingSession(TorchCnnOptions options, NetworkDefinition definition, Device device, long trainingRows, TrainingHistory history)
    {
        Options = options;
        History = history;
        Random = new TrainingRandom(options.ResolvedSeed);
        try
        {
            Model = Random.WithModuleRandom(() => NetworkBuilder.Build(definition));
            Model.to(device);
            BatchesPerEpoch = (int)((trainingRows + options.BatchSize - 1) / options.BatchSize);
            Optimizer = OptimizerFactory.Create(options, Model.parameters());
            Scheduler = OptimizerFactory.CreateSchedule(options, Optimizer, BatchesPerEpoch);
            Stopping = new EarlyStopping(options);
            HasDropout = definition.Layers.Any(layer => layer is DropoutSpec);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TorchCnnOptions Options { get; }

    public nn.Module<Tensor, Tensor> Model { get; } = null!;

    public optim.Optimizer Optimizer { get; } = null!;

    public optim.lr_scheduler.LRScheduler? Scheduler { get; }

    public TrainingRandom Random { get; }

    public EarlyStopping Stopping { get; } = null!;

    public TrainingHistory History { get; }

    public TrainingPosition Position { get; } = new();

    public int BatchesPerEpoch { get; }

    /// <summary>True when the network draws random numbers in training mode (dropout).</summary>
    public bool HasDropout { get; }

    /// <summary>The optimiser as TorchSharp's managed implementation, which can save and load its state.</summary>
    public OptimizerHelper SavableOptimizer => Optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"The optimizer {Optimizer.GetType().Name} cannot save its state.");

    /// <summary>Steps a freshly created schedule as often as the run had stepped it by <see cref="Position"/>.</summary>
    public void FastForwardSchedule()
    {
        int steps = Options.Schedule switch
        {
            LearningRateSchedule.OneCycle => checked((int)((Position.Epoch - 1L) * BatchesPerEpoch + Position.BatchesDone)),
            LearningRateSchedule.Step => Position.Epoch - 1,
            _ => 0,
        };
        for (int i = 0; i < steps; i++) Scheduler?.step();
    }

    /// <summary>Hands the network to the caller, who then owns it.</summary>
    public nn.Module<Tensor, Tensor> TakeModel()
    {
        _ownsModel = false;
        return Model;
    }

    public void Dispose()
    {
        Optimizer?.Dispose();
        Stopping?.Dispose();
        Random.Dispose();
        if (_ownsModel) Model?.Dispose();
    }
}
