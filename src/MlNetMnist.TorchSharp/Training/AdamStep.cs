using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Training;

/// <summary>
/// The part of one Adam / AdamW update the two share, for <see cref="ScalarSafeAdam"/> and
/// <see cref="ScalarSafeAdamW"/>: the moment updates, the bias-corrected denominator and the parameter step,
/// with the same operations in the same order as TorchSharp 0.107's own optimisers, and every
/// <see cref="Scalar"/> held (and disposed) here for as long as LibTorch uses it.
/// </summary>
internal sealed class AdamStep : IDisposable
{
    private readonly double _beta1, _beta2;
    private readonly Scalar _keep1, _new1, _keep2, _new2, _epsilon, _one;

    /// <summary>The Scalars of one parameter group's step.</summary>
    public AdamStep(double beta1, double beta2, double eps)
    {
        (_beta1, _beta2) = (beta1, beta2);
        _keep1 = beta1.ToScalar();
        _new1 = (1 - beta1).ToScalar();
        _keep2 = beta2.ToScalar();
        _new2 = (1 - beta2).ToScalar();
        _epsilon = eps.ToScalar();
        // add_(Scalar) would make its alpha, an int 1, into a temporary Scalar of its own: given here.
        _one = 1.ToScalar();
    }

    /// <summary>
    /// Updates the moments with <paramref name="grad"/> (the second one with <paramref name="grad"/> times
    /// <paramref name="gradForSquare"/>), then steps <paramref name="param"/> by
    /// <c>-lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)</c>, v being the running
    /// maximum of the second moments with AMSGrad.
    /// </summary>
    public void Apply(Tensor param, Tensor grad, Tensor gradForSquare, long step, double lr, Tensor expAvg, Tensor expAvgSq, ref Tensor? maxExpAvgSq, bool amsgrad)
    {
        double biasCorrection1 = 1 - Math.Pow(_beta1, step);
        double biasCorrection2 = 1 - Math.Pow(_beta2, step);
        expAvg.mul_(_keep1).add_(grad, alpha: _new1);
        expAvgSq.mul_(_keep2).addcmul_(grad, gradForSquare, value: _new2);
        var second = expAvgSq;
        if (amsgrad)
        {
            var previous = maxExpAvgSq!;
            maxExpAvgSq = maximum(previous, expAvgSq).DetachFromDisposeScope();
            previous.Dispose();
            second = maxExpAvgSq;
        }
        using var root = Math.Sqrt(biasCorrection2).ToScalar();
        var denom = second.sqrt().div(root).add_(_epsilon, _one);
        using var stepSize = (-(lr / biasCorrection1)).ToScalar();
        param.addcdiv_(expAvg, denom, value: stepSize);
    }

    public void Dispose()
    {
        foreach (var scalar in new[] { _keep1, _new1, _keep2, _new2, _epsilon, _one }) scalar.Dispose();
    }
}
