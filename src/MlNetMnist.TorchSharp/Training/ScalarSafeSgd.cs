using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// TorchSharp's SGD (momentum, dampening, Nesterov, L2 weight decay) with the same arithmetic, in the same
/// order, but with every <see cref="Scalar"/> it hands to LibTorch created explicitly and disposed after the
/// call (why: <see cref="ScalarSafeAdamW"/>).
/// </summary>
internal sealed class ScalarSafeSgd : SGD
{
    public ScalarSafeSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
        : base(parameters, learningRate, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov)
    {
    }

    /// <summary>One SGD update of every parameter with a gradient.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using var decay = weightDecay.ToScalar();
        using var keep = momentum.ToScalar();
        using var damped = (1 - dampening).ToScalar();
        using var rate = (maximize ? lr : -lr).ToScalar();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, decay);
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null) buffer = state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(keep).add_(grad, alpha: damped);
                grad = nesterov ? grad.add(buffer, keep) : buffer;
            }
            param.add_(grad, alpha: rate);
        }
    }, closure);
}
