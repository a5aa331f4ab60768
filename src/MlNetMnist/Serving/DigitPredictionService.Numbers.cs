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
    /// <para>
    /// When the caller knows how many digits the field holds (a postal code, an account number), passing
    /// <paramref name="digitCount"/> reads touching digits far better: only segmentations with that many
    /// digits are considered, and narrower components are tried as touching digits at more cut positions.
    /// When the image cannot be read as that many digits (too few or too many pieces of ink), the free
    /// reading is returned and marked as needing review; its <see cref="NumberReading.Digits"/> then differ
    /// in number from <paramref name="digitCount"/>.
    /// </para>
    /// </summary>
    /// <param name="image">The image, of any size and polarity.</param>
    /// <param name="digitCount">How many digits the image holds, when known (at least 1); null reads any number of digits.</param>
    /// <returns>The digits as text, each with its probability and box; "needs review" when any is uncertain.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digitCount"/> is less than 1.</exception>
    public NumberReading ReadNumber(MLImage image, int? digitCount = null)
    {
        CheckDigitCount(digitCount);
        return ReadNumber(GrayImage.From(image), digitCount);
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, BMP, GIF, WEBP) and reads the number in it; see <see cref="ReadNumber(MLImage, int?)"/>.</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <param name="digitCount">How many digits the image holds, when known (at least 1); null reads any number of digits.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digitCount"/> is less than 1.</exception>
    public NumberReading ReadNumber(ReadOnlySpan<byte> encoded, int? digitCount = null)
    {
        CheckDigitCount(digitCount);
        return ReadNumber(GrayImage.Decode(encoded.ToArray()), digitCount);
    }

    /// <summary>Reads the number in an image file; see <see cref="ReadNumber(MLImage, int?)"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="digitCount">How many digits the image holds, when known (at least 1); null reads any number of digits.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image; the message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digitCount"/> is less than 1.</exception>
    public NumberReading ReadNumberFile(string path, int? digitCount = null)
    {
        CheckDigitCount(digitCount);
        byte[] bytes = DigitImages.ReadFile(path, out string full);
        try
        {
            return ReadNumber(GrayImage.Decode(bytes), digitCount);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{full}: {e.Message}", e);
        }
    }

    private static void CheckDigitCount(int? digitCount)
    {
        if (digitCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(digitCount), digitCount, $"The digit count is {digitCount}; expected at least 1 (or null when the count is not known).");
    }

    private NumberReading ReadNumber(GrayImage image, int? digitCount)
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

        var (segments, countMet) = digitCount is int count
            ? DigitSegmenter.Segment(image, Confidence, count)
            : (DigitSegmenter.Segment(image, Confidence), true);
        var digits = new List<NumberDigit>();
        foreach (var segment in segments)
        {
            var prediction = predictions[segment];
            if (prediction.IsEmpty) continue;
            digits.Add(new NumberDigit(new DigitBox(segment.X, segment.Y, segment.Width, segment.Height), segment.Split, prediction));
        }
        string text = string.Concat(digits.Select(d => d.Label));
        return new NumberReading(text, !countMet || digits.Count == 0 || digits.Any(d => d.NeedsReview), digits);
    }
}
