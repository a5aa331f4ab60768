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
        _flat = FlatAdamMoments.TryCreate(_parameter_groups, (parameter, expAvg, expAvgSq) =>
        {
            var state = (State)_state[parameter.Handle];
            (state.exp_avg, state.exp_avg_sq) = (FlatAdamMoments.Rebind(state.exp_avg, expAvg), FlatAdamMoments.Rebind(state.exp_avg_sq, expAvgSq));
        });
    }

    /// <summary>The parameters, gradients and moments laid out flat (<see cref="FlatAdamMoments"/>), or null.</summary>
    private readonly FlatAdamMoments? _flat;

    /// <summary>Zeroes every gradient in place (in one call when the parameters are flat).</summary>
    public override void zero_grad()
    {
        if (_flat is null) base.zero_grad();
        else _flat.Parameters.ZeroGradients();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _flat?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>One AdamW update of every parameter with a gradient (decoupled weight decay, bias-corrected moments).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        using var decay = (1 - lr * options.weight_decay!.Value).ToScalar();
        using var adam = new AdamStep(options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
        if (_flat is { } flat && !amsgrad && !maximize)
        {
            long step = NextStep(group);
            var (values, gradients) = (flat.Parameters.Values, flat.Parameters.Gradients);
            values.mul_(decay);
            Tensor? noMaximum = null;
            adam.Apply(values, gradients, gradients, step, lr, flat.ExpAvg, flat.ExpAvgSq, ref noMaximum, amsgrad: false);
            return;
        }
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

    /// <summary>Counts one more step in every parameter's state (all the same, as they are updated together); returns it.</summary>
    private long NextStep(ParamGroup group)
    {
        long step = 0;
        foreach (var param in group.Parameters) step = ++((State)_state[param.Handle]).step;
        return step;
    }
}
