namespace MlNetMnist.Serving;

/// <summary>
/// The answer for one image: the most probable class, its probability, whether a person should review
/// it, the top classes and all probabilities; or, for an image with no ink, <see cref="IsEmpty"/> and
/// no label at all.
/// </summary>
/// <param name="Label">The most probable class (the first on ties); null when the image is empty (<see cref="IsEmpty"/>).</param>
/// <param name="Probability">Its probability, 0-1 (0 for an empty image).</param>
/// <param name="NeedsReview">
/// True when <paramref name="Probability"/> is below the confidence threshold, or when the image does not
/// look like the digits the model was trained on (<see cref="OutOfDistribution"/>).
/// </param>
/// <param name="Top">The most probable classes, most probable first (empty for an empty image).</param>
/// <param name="Classes">Every class with its probability, in the order of the model's score vector (empty for an empty image).</param>
public sealed record DigitPrediction(string? Label, float Probability, bool NeedsReview, IReadOnlyList<ClassProbability> Top, IReadOnlyList<ClassProbability> Classes)
{
    /// <summary>The <see cref="Status"/> of a prediction that needs review (low confidence, or not like a digit).</summary>
    public const string NeedsReviewStatus = "needs review";

    /// <summary>The <see cref="Status"/> of a prediction that can be accepted.</summary>
    public const string AcceptedStatus = "ok";

    /// <summary>The <see cref="Status"/> of an image that holds no ink: there is nothing to read, and no label.</summary>
    public const string EmptyStatus = "empty";

    /// <summary>True when the image holds no ink (below the service's empty-ink threshold): no label, no probabilities.</summary>
    public bool IsEmpty { get; init; }

    /// <summary>
    /// True when the model's out-of-distribution score (inside the saved model; see the README) says the
    /// image is unlike the digits it was calibrated on: noise, a texture, a letter, several digits, part
    /// of a digit. Such a prediction also <see cref="NeedsReview"/>, however probable its label.
    /// </summary>
    public bool OutOfDistribution { get; init; }

    /// <summary>
    /// The out-of-distribution score: above 0 is flagged (<see cref="OutOfDistribution"/>), 0 is the
    /// threshold calibrated on held-out training digits; null when the model has no such score.
    /// </summary>
    public float? OutOfDistributionScore { get; init; }

    /// <summary><see cref="EmptyStatus"/>, <see cref="NeedsReviewStatus"/> or <see cref="AcceptedStatus"/>.</summary>
    public string Status => IsEmpty ? EmptyStatus : NeedsReview ? NeedsReviewStatus : AcceptedStatus;

    /// <summary>The answer for an image with no ink: <see cref="Status"/> <see cref="EmptyStatus"/>, no label.</summary>
    public static DigitPrediction Empty { get; } = new(null, 0, false, [], []) { IsEmpty = true };

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

    /// <summary>
    /// This prediction with the model's out-of-distribution score applied: flagged (and so needing
    /// review) when <paramref name="score"/> is above 0.
    /// </summary>
    /// <param name="score">The score (0 is the calibrated threshold), or null when the model has none.</param>
    public DigitPrediction WithOutOfDistributionScore(float? score) => score is not float s || IsEmpty ? this
        : this with { OutOfDistributionScore = s, OutOfDistribution = s > 0, NeedsReview = NeedsReview || s > 0 };
}
