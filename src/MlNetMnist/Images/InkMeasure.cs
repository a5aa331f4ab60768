namespace MlNetMnist.Images;

/// <summary>
/// How much ink an image holds, whatever its polarity: the sum over its pixels of the distance of each
/// value from the background (the median of the outer ring of pixels), divided by 255, so the unit is
/// "pixels of full-contrast ink". A blank image (white paper, black screen, fully transparent) holds 0
/// however large it is; a handwritten MNIST digit holds about 100 (see
/// <see cref="Serving.DigitPredictionServiceOptions.EmptyInkThreshold"/> for the measured range).
/// </summary>
public static class InkMeasure
{
    /// <summary>Width of the border ring whose median is the background, for a 28x28 image (scaled with the image's size).</summary>
    private const double RingFraction = 2.0 / 28;

    /// <summary>The ink of <paramref name="pixels"/> (raw values 0-255, row-major, any channels one after the other).</summary>
    /// <param name="pixels">The pixels, <c>channels * width * height</c> values.</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <exception cref="ArgumentException">The number of values is not a whole number of <paramref name="width"/> x <paramref name="height"/> planes.</exception>
    public static float Amount(ReadOnlySpan<float> pixels, int width, int height)
    {
        if (width < 1 || height < 1 || pixels.Length == 0 || pixels.Length % (width * height) != 0)
            throw new ArgumentException($"{pixels.Length} values are not whole {width}x{height} image planes.", nameof(pixels));
        int plane = width * height;
        double total = 0;
        for (int start = 0; start < pixels.Length; start += plane)
        {
            var values = pixels.Slice(start, plane);
            float background = Background(values, width, height);
            for (int i = 0; i < values.Length; i++) total += Math.Abs(values[i] - background);
        }
        return (float)(total / 255.0 / (pixels.Length / plane));
    }

    /// <summary>The median of the outer ring of pixels (about 1/14 of the shorter side wide, at least 1).</summary>
    internal static float Background(ReadOnlySpan<float> values, int width, int height)
    {
        int ring = Math.Max(1, (int)Math.Round(Math.Min(width, height) * RingFraction));
        ring = Math.Min(ring, (Math.Min(width, height) + 1) / 2);
        var border = new List<float>();
        for (int y = 0; y < height; y++)
        {
            bool edgeRow = y < ring || y >= height - ring;
            for (int x = 0; x < width; x++)
                if (edgeRow || x < ring || x >= width - ring) border.Add(values[y * width + x]);
        }
        border.Sort();
        int n = border.Count;
        return n % 2 == 1 ? border[n / 2] : (border[n / 2 - 1] + border[n / 2]) / 2;
    }
}
