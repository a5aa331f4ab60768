namespace MlNetMnist.Reports;

/// <summary>A row the model got wrong: its image, true and predicted class, and the model's confidence.</summary>
public sealed record MisclassifiedExample
{
    /// <summary>0-based row in the evaluated data.</summary>
    public long Row { get; init; }

    /// <summary>Index of the true class in <see cref="MetricsReport.ClassNames"/>.</summary>
    public int TrueIndex { get; init; }

    /// <summary>Name of the true class.</summary>
    public string TrueLabel { get; init; } = "";

    /// <summary>Index of the predicted class (the highest score) in <see cref="MetricsReport.ClassNames"/>.</summary>
    public int PredictedIndex { get; init; }

    /// <summary>Name of the predicted class.</summary>
    public string PredictedLabel { get; init; } = "";

    /// <summary>The score of the predicted class (0-1 for a probability output): how sure the model was of its wrong answer.</summary>
    public double Confidence { get; init; }

    /// <summary>The score the model gave the true class.</summary>
    public double TrueClassScore { get; init; }

    /// <summary>The pixels (0-255, rounded and clamped from the feature vector), in <see cref="MetricsReport.ImageShape"/> layout; empty when the features are not an image.</summary>
    public byte[] Pixels { get; init; } = [];

    /// <summary>True when both examples have the same values and pixels.</summary>
    /// <param name="other">The other example.</param>
    public bool Equals(MisclassifiedExample? other) =>
        other is not null
        && Row == other.Row
        && TrueIndex == other.TrueIndex
        && TrueLabel == other.TrueLabel
        && PredictedIndex == other.PredictedIndex
        && PredictedLabel == other.PredictedLabel
        && Confidence.Equals(other.Confidence)
        && TrueClassScore.Equals(other.TrueClassScore)
        && Pixels.AsSpan().SequenceEqual(other.Pixels);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Row, TrueIndex, PredictedIndex, Confidence);
}
