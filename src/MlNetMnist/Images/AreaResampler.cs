namespace MlNetMnist.Images;

/// <summary>
/// Resizes gray images by area averaging: each output pixel is the mean of the part of the input it
/// covers (anti-aliased when shrinking, like MNIST's own downscaling; a same-size resize is exact).
/// </summary>
internal static class AreaResampler
{
    /// <summary><paramref name="image"/> resized to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static GrayImage Resize(GrayImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height) return new GrayImage(width, height, (float[])image.Values.Clone());
        var columns = Weights(image.Width, width);
        var rows = Weights(image.Height, height);

        // Horizontal pass: [srcH, dstW].
        var horizontal = new float[image.Height * width];
        for (int y = 0; y < image.Height; y++)
        {
            int source = y * image.Width;
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in columns[x]) sum += weight * image.Values[source + index];
                horizontal[y * width + x] = (float)sum;
            }
        }

        // Vertical pass: [dstH, dstW].
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in rows[y]) sum += weight * horizontal[index * width + x];
                result[y * width + x] = (float)sum;
            }
        }
        return new GrayImage(width, height, result);
    }

    /// <summary>For each of <paramref name="target"/> output pixels, the input pixels it covers and their weights (summing to 1).</summary>
    private static (int Index, double Weight)[][] Weights(int source, int target)
    {
        double scale = (double)source / target;
        var weights = new (int, double)[target][];
        for (int j = 0; j < target; j++)
        {
            double start = j * scale, end = (j + 1) * scale;
            var list = new List<(int, double)>();
            for (int i = (int)Math.Floor(start); i < Math.Min(source, (int)Math.Ceiling(end)); i++)
            {
                double overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                if (overlap > 1e-12) list.Add((i, overlap / scale));
            }
            weights[j] = list.ToArray();
        }
        return weights;
    }
}
