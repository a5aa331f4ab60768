using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// TorchSharp's AdamW with the same arithmetic, in the same order, but with every <see cref="Scalar"/> it
/// hands to LibTorch created explicitly and disposed after the call (<see cref="AdamStep"/>). TorchSharp
/// 0.107's own step converts doubles to temporary Scalars that nothing keeps alive during the native call:
/// when another thread triggers a garbage collection at that moment, the Scalar's finalizer deletes it while
/// LibTorch reads it (seen once in CI as "Unknown scalar type" from <c>mul_</c> in <c>AdamW.step</c>, with
/// several trainings in parallel). The optimiser's state, options and scheduler support are the base class's.
/// </summary>
internal sealed class ScalarSafeAdamW : AdamW
{
    public ScalarSafeAdamW(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, weight_decay: weightDecay)
    {
    }

    /// <summary>One AdamW update of every parameter with a gradient (decoupled weight decay, bias-corrected moments).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var decay = (1 - lr * options.weight_decay!.Value).ToScalar();
        using var adam = new AdamStep(options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            param.mul_(decay);
            adam.Apply(param, grad, grad, state.step, lr, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, amsgrad);
        }
    }, closure);
}
