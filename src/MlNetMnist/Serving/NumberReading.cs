namespace MlNetMnist.Serving;

/// <summary>
/// A number read from one image of a row of handwritten digits: the digits as text, and each digit's
/// reading, probability and box.
/// </summary>
/// <param name="Text">The digits read, left to right (empty when none were found).</param>
/// <param name="NeedsReview">True when no digit was found, any digit is below the confidence threshold, a digit had to be cut from touching ones, or the image could not be read as the digit count given.</param>
/// <param name="Digits">Each digit found, left to right.</param>
public sealed record NumberReading(string Text, bool NeedsReview, IReadOnlyList<NumberDigit> Digits)
{
    /// <summary><see cref="DigitPrediction.NeedsReviewStatus"/> or <see cref="DigitPrediction.AcceptedStatus"/>.</summary>
    public string Status => NeedsReview ? DigitPrediction.NeedsReviewStatus : DigitPrediction.AcceptedStatus;
}

/// <summary>One digit of a <see cref="NumberReading"/>.</summary>
/// <param name="Box">Where the digit is in the image.</param>
/// <param name="Split">True when it was cut from a component holding several touching digits (its box is a guess at the cut).</param>
/// <param name="Prediction">The model's prediction for the digit (label, probability, top classes).</param>
public sealed record NumberDigit(DigitBox Box, bool Split, DigitPrediction Prediction)
{
    /// <summary>The digit read (<see cref="DigitPrediction.Label"/>; a number's digits are never empty predictions).</summary>
    public string Label => Prediction.Label!;

    /// <summary>Its probability.</summary>
    public float Probability => Prediction.Probability;

    /// <summary>True when this digit is below the confidence threshold or was cut from touching digits.</summary>
    public bool NeedsReview => Prediction.NeedsReview || Split;
}

/// <summary>A rectangle in an image, in pixels.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public sealed record DigitBox(int X, int Y, int Width, int Height);
