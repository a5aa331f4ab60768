namespace MlNetMnist.Reports;

/// <summary>An image of the data with its label, for the sample grid of a report.</summary>
public sealed record LabelledImage
{
    /// <summary>0-based row of the image in the data it was read from.</summary>
    public long Row { get; init; }

    /// <summary>The label as text (the key value for a key-typed label).</summary>
    public string Label { get; init; } = "";

    /// <summary>The pixels (0-255, rounded and clamped from the feature vector), in <see cref="MetricsReport.ImageShape"/> layout; empty when the features are not an image.</summary>
    public byte[] Pixels { get; init; } = [];

    /// <summary>True when both images have the same row, label and pixels.</summary>
    /// <param name="other">The other image.</param>
    public bool Equals(LabelledImage? other) =>
        other is not null && Row == other.Row && Label == other.Label && Pixels.AsSpan().SequenceEqual(other.Pixels);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Row, Label, Pixels.Length);
}
