using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// TorchSharp's Adam with the same arithmetic, in the same order, but with every <see cref="Scalar"/> it
/// hands to LibTorch created explicitly and disposed after the call (why: <see cref="ScalarSafeAdamW"/>).
/// </summary>
internal sealed class ScalarSafeAdam : Adam
{
    public ScalarSafeAdam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, weight_decay: weightDecay)
    {
    }

    /// <summary>One Adam update of every parameter with a gradient (L2 weight decay added to the gradient, bias-corrected moments).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var decay = weightDecay.ToScalar();
        using var adam = new AdamStep(options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            if (weightDecay != 0) grad = grad.add(param, decay);
            adam.Apply(param, grad, grad.conj(), state.step, lr, state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, amsgrad);
        }
    }, closure);
}
