namespace MlNetMnist.Serving;

/// <summary>The probability a model gives one class.</summary>
/// <param name="Label">The class (its label text, e.g. <c>7</c>).</param>
/// <param name="Probability">Its probability, 0-1.</param>
public sealed record ClassProbability(string Label, float Probability);
