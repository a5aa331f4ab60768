using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// TorchSharp's Adadelta with the same arithmetic, in the same order, but with every <see cref="Scalar"/> it
/// hands to LibTorch created explicitly and disposed after the call (why: <see cref="ScalarSafeAdamW"/>).
/// </summary>
internal sealed class ScalarSafeAdadelta : Adadelta
{
    public ScalarSafeAdadelta(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, weight_decay: weightDecay)
    {
    }

    /// <summary>One Adadelta update of every parameter with a gradient.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double rho = options.rho!.Value, weightDecay = options.weight_decay!.Value;
        bool maximize = options.maximize!.Value;
        using var decay = weightDecay.ToScalar();
        using var keep = rho.ToScalar();
        using var added = (1 - rho).ToScalar();
        using var epsilon = options.eps!.Value.ToScalar();
        using var one = 1.ToScalar();
        using var rate = (-options.LearningRate!.Value).ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            if (grad.is_sparse) throw new ArgumentException("Adadelta does not support sparse gradients");
            var state = (State)_state[param.Handle];
            grad = weightDecay != 0 ? grad.add(param, decay) : grad.alias();
            state.square_avg.mul_(keep).addcmul_(grad, grad, value: added);
            var std = state.square_avg.add(epsilon, one).sqrt_();
            var delta = state.acc_delta.add(epsilon, one).sqrt_().div_(std).mul_(grad);
            param.add_(delta, alpha: rate);
            state.acc_delta.mul_(keep).addcmul_(delta, delta, value: added);
        }
    }, closure);
}
