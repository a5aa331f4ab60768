namespace MlNetMnist.Images;

/// <summary>
/// Whether an image holds any ink, whatever its polarity and size: the largest distance, in gray levels
/// (0-255), between the image smoothed over 3x3 pixels and its background (the median of its outer ring
/// of pixels). A blank image (white paper, black screen, fully transparent, a blank page with scanner or
/// JPEG noise, which the smoothing averages away) has almost none; a pen stroke of any size has a lot.
/// See <see cref="Serving.DigitPredictionServiceOptions.EmptyInkThreshold"/> for the measured range.
/// </summary>
public static class InkMeasure
{
    /// <summary>Width of the border ring whose median is the background, for a 28x28 image (scaled with the image's size).</summary>
    private const double RingFraction = 2.0 / 28;

    /// <summary>The ink contrast of <paramref name="pixels"/> (raw values 0-255, row-major; several channels one plane after the other: the largest).</summary>
    /// <param name="pixels">The pixels, <c>channels * width * height</c> values.</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <exception cref="ArgumentException">The number of values is not a whole number of <paramref name="width"/> x <paramref name="height"/> planes.</exception>
    public static float Contrast(ReadOnlySpan<float> pixels, int width, int height)
    {
        if (width < 1 || height < 1 || pixels.Length == 0 || pixels.Length % (width * height) != 0)
            throw new ArgumentException($"{pixels.Length} values are not whole {width}x{height} image planes.", nameof(pixels));
        int plane = width * height;
        float best = 0;
        for (int start = 0; start < pixels.Length; start += plane)
        {
            var values = pixels.Slice(start, plane);
            float background = Background(values, width, height);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    float sum = 0;
                    int n = 0;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        int yy = y + dy;
                        if (yy < 0 || yy >= height) continue;
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xx = x + dx;
                            if (xx < 0 || xx >= width) continue;
                            sum += values[yy * width + xx];
                            n++;
                        }
                    }
                    best = Math.Max(best, Math.Abs(sum / n - background));
                }
        }
        return best;
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
