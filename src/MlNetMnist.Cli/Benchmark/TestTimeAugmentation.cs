using MlNetMnist.Scoring;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// Test-time augmentation, reported on its own (never mixed into the plain accuracy): every evaluation
/// image is scored as it is and shifted by one pixel left, right, up and down (zeros shifted in), and
/// the five probability vectors are averaged before the arg-max.
/// </summary>
internal static class TestTimeAugmentation
{
    /// <summary>The views: no shift, then one pixel in each direction (dx, dy).</summary>
    public static readonly (int Dx, int Dy)[] Shifts = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)];

    /// <summary>What the column means, for reports.</summary>
    public const string Description = "test-time augmentation: the mean of the probabilities of each image and its four 1-pixel shifts";

    /// <summary>Accuracy of the averaged views of <paramref name="pixels"/> (rows of height x width raw pixels, one channel).</summary>
    public static double Accuracy(IScoringModel model, float[] pixels, byte[] labels, int rows, int height, int width)
    {
        int size = height * width, classes = model.Classes;
        const int Batch = 256;
        var views = new float[Batch * size];
        var scores = new float[Batch * classes];
        var sum = new float[Batch * classes];
        int correct = 0;
        for (int start = 0; start < rows; start += Batch)
        {
            int count = Math.Min(Batch, rows - start);
            Array.Clear(sum);
            foreach (var (dx, dy) in Shifts)
            {
                for (int r = 0; r < count; r++)
                    Shift(pixels.AsSpan((start + r) * size, size), views.AsSpan(r * size, size), height, width, dx, dy);
                model.Score(views.AsSpan(0, count * size), count, scores, Span<float>.Empty);
                for (int i = 0; i < count * classes; i++) sum[i] += scores[i];
            }
            for (int r = 0; r < count; r++)
            {
                var row = sum.AsSpan(r * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++)
                    if (row[c] > row[best]) best = c;
                if (best == labels[start + r]) correct++;
            }
        }
        return correct / (double)rows;
    }

    /// <summary>Copies <paramref name="source"/> moved by (dx, dy) into <paramref name="target"/>, zeros where nothing moves in.</summary>
    internal static void Shift(ReadOnlySpan<float> source, Span<float> target, int height, int width, int dx, int dy)
    {
        target.Clear();
        for (int y = 0; y < height; y++)
        {
            int sy = y - dy;
            if (sy < 0 || sy >= height) continue;
            for (int x = Math.Max(0, dx); x < Math.Min(width, width + dx); x++) target[y * width + x] = source[sy * width + x - dx];
        }
    }
}
