namespace MlNetMnist.Serving;

/// <summary>
/// The answer for one image: the most probable class, its probability, whether it is below the
/// confidence threshold (and so needs a person to review it), the top classes and all probabilities.
/// </summary>
/// <param name="Label">The most probable class (the first on ties).</param>
/// <param name="Probability">Its probability, 0-1.</param>
/// <param name="NeedsReview">True when <paramref name="Probability"/> is below the confidence threshold.</param>
/// <param name="Top">The most probable classes, most probable first.</param>
/// <param name="Classes">Every class with its probability, in the order of the model's score vector.</param>
public sealed record DigitPrediction(string Label, float Probability, bool NeedsReview, IReadOnlyList<ClassProbability> Top, IReadOnlyList<ClassProbability> Classes)
{
    /// <summary>The <see cref="Status"/> of a prediction below the confidence threshold.</summary>
    public const string NeedsReviewStatus = "needs review";

    /// <summary>The <see cref="Status"/> of a prediction at or above the confidence threshold.</summary>
    public const string AcceptedStatus = "ok";

    /// <summary><see cref="NeedsReviewStatus"/> or <see cref="AcceptedStatus"/>.</summary>
    public string Status => NeedsReview ? NeedsReviewStatus : AcceptedStatus;

    /// <summary>Builds a prediction from a model's score vector.</summary>
    /// <param name="scores">Class probabilities, slot <c>i</c> for <c>classNames[i]</c>.</param>
    /// <param name="classNames">The class names in score order.</param>
    /// <param name="confidenceThreshold">Below this probability the prediction needs review.</param>
    /// <param name="topCount">How many classes <see cref="Top"/> lists.</param>
    public static DigitPrediction FromScores(ReadOnlySpan<float> scores, IReadOnlyList<string> classNames, float confidenceThreshold, int topCount)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (scores.Length == 0 || scores.Length != classNames.Count)
            throw new ArgumentException($"{scores.Length} scores for {classNames.Count} classes.", nameof(scores));
        ArgumentOutOfRangeException.ThrowIfLessThan(topCount, 1);
        var classes = new ClassProbability[scores.Length];
        for (int i = 0; i < scores.Length; i++) classes[i] = new ClassProbability(classNames[i], scores[i]);
        // Stable order: most probable first, the earlier slot first on ties (as the arg-max of PredictedLabel).
        var top = Enumerable.Range(0, classes.Length).OrderByDescending(i => classes[i].Probability).ThenBy(i => i)
            .Take(topCount).Select(i => classes[i]).ToArray();
        var best = top[0];
        return new DigitPrediction(best.Label, best.Probability, best.Probability < confidenceThreshold, top, classes);
    }
}
