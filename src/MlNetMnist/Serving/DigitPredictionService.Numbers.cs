using Microsoft.ML.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Serving;

/// <summary>Reading whole numbers: a row of handwritten digits in one image.</summary>
public sealed partial class DigitPredictionService
{
    /// <summary>
    /// Reads a row of handwritten digits (an amount, a postal code, a meter reading): the digits are
    /// found as connected components of ink, and the segmentation is chosen with the classifier: a small
    /// piece of ink is kept as a digit, merged into a neighbour or left out, and a component wider than a
    /// digit is kept whole or cut into 2 or 3 digits at columns of little ink, whichever reads best
    /// (each candidate prepared and classified like a single image, <see cref="PredictImage(MLImage)"/>,
    /// with this service's model; the sum of log probabilities with priors on digit size and against
    /// cuts). Left to right; the same image always gives the same reading.
    /// </summary>
    /// <param name="image">The image, of any size and polarity.</param>
    /// <returns>The digits as text, each with its probability and box; "needs review" when any is uncertain.</returns>
    public NumberReading ReadNumber(MLImage image) => ReadNumber(GrayImage.From(image));

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, GIF, WEBP) and reads the number in it; see <see cref="ReadNumber(MLImage)"/>.</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image.</exception>
    public NumberReading ReadNumber(ReadOnlySpan<byte> encoded) => ReadNumber(GrayImage.Decode(encoded.ToArray()));

    /// <summary>Reads the number in an image file; see <see cref="ReadNumber(MLImage)"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image; the message names it.</exception>
    public NumberReading ReadNumberFile(string path)
    {
        byte[] bytes = DigitImages.ReadFile(path, out string full);
        try
        {
            return ReadNumber(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    private NumberReading ReadNumber(GrayImage image)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        // Every candidate digit the segmentation considers is classified once; the chosen ones keep their prediction.
        var predictions = new Dictionary<DigitSegment, DigitPrediction>(ReferenceEqualityComparer.Instance);
        float? Confidence(DigitSegment segment)
        {
            using var crop = DigitImages.FromGray(segment.Crop.Values, segment.Crop.Width, segment.Crop.Height);
            var prediction = PredictImage(crop);
            predictions[segment] = prediction;
            return prediction.IsEmpty ? null : prediction.Probability; // empty: a speck with too little ink to be a digit
        }

        var digits = new List<NumberDigit>();
        foreach (var segment in DigitSegmenter.Segment(image, Confidence))
        {
            var prediction = predictions[segment];
            if (prediction.IsEmpty) continue;
            digits.Add(new NumberDigit(new DigitBox(segment.X, segment.Y, segment.Width, segment.Height), segment.Split, prediction));
        }
        string text = string.Concat(digits.Select(d => d.Label));
        return new NumberReading(text, digits.Count == 0 || digits.Any(d => d.NeedsReview), digits);
    }
}
