namespace MlNetMnist.Training;

/// <summary>What <see cref="OutlierExposure"/> trains the network to answer for a non-digit image.</summary>
public enum OutlierExposureLoss
{
    /// <summary>
    /// A flat answer (the paper's loss; use it with <see cref="OutlierExposure.Weight"/> 0.25): the cross-entropy of the softmax against the uniform
    /// distribution. The network may keep its logits large as long as they are equal.
    /// </summary>
    Uniform = 0,

    /// <summary>
    /// The default. "Not a digit" as an eleventh answer whose logit is fixed at 0: with <c>L = logsumexp(logits)</c>,
    /// the probability that an image is a digit at all is <c>sigmoid(L)</c>, trained by logistic loss
    /// (towards 1 on the training digits, towards 0 on the non-digit images; the mean of each, times
    /// <see cref="OutlierExposure.Weight"/>, beside the digits' usual cross-entropy). The saved network
    /// keeps its ten outputs and its graph: the out-of-distribution score's <c>energy</c> statistic,
    /// <c>-L</c>, is exactly the log-odds of "not a digit" that was trained.
    /// </summary>
    DigitOrNot = 1,
}
