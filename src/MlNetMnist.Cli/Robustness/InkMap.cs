namespace MlNetMnist.Cli.Robustness;

/// <summary>
/// A digit as ink coverage (0 = paper, 1 = full ink), row-major: the material the robustness and
/// number suites are made of. MNIST digits (light ink on black) are read as coverage directly.
/// </summary>
internal sealed class InkMap
{
    public InkMap(int width, int height, float[]? values = null)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"Ink map size {width}x{height} is not valid.");
        Width = width;
        Height = height;
        Values = values ?? new float[width * height];
        if (Values.Length != width * height) throw new ArgumentException($"{Values.Length} values do not make a {width}x{height} ink map.", nameof(values));
    }

    public int Width { get; }

    public int Height { get; }

    public float[] Values { get; }

    public float this[int x, int y] => Values[y * Width + x];

    /// <summary>An MNIST image (raw 0-255 intensities) as coverage.</summary>
    public static InkMap FromMnist(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var map = new InkMap(width, height);
        for (int i = 0; i < map.Values.Length; i++) map.Values[i] = pixels[i] / 255f;
        return map;
    }

    /// <summary>Bilinear sample at (<paramref name="x"/>, <paramref name="y"/>) in pixel-centre coordinates; 0 outside.</summary>
    public float Sample(double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        return (float)((1 - fy) * ((1 - fx) * At(x0, y0) + fx * At(x0 + 1, y0)) + fy * ((1 - fx) * At(x0, y0 + 1) + fx * At(x0 + 1, y0 + 1)));
    }

    private float At(int x, int y) => x < 0 || y < 0 || x >= Width || y >= Height ? 0f : Values[y * Width + x];

    /// <summary>Resampled to <paramref name="width"/> x <paramref name="height"/>: area average when shrinking, bilinear when enlarging.</summary>
    public InkMap Resize(int width, int height)
    {
        if (width == Width && height == Height) return new InkMap(width, height, (float[])Values.Clone());
        if (width <= Width && height <= Height) return Area(width, height);
        var result = new InkMap(width, height);
        double sx = (double)Width / width, sy = (double)Height / height;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                result.Values[y * width + x] = Sample(Math.Clamp((x + 0.5) * sx - 0.5, 0, Width - 1), Math.Clamp((y + 0.5) * sy - 0.5, 0, Height - 1));
        return result;
    }

    private InkMap Area(int width, int height)
    {
        var result = new InkMap(width, height);
        double sx = (double)Width / width, sy = (double)Height / height;
        for (int y = 0; y < height; y++)
        {
            double y0 = y * sy, y1 = y0 + sy;
            for (int x = 0; x < width; x++)
            {
                double x0 = x * sx, x1 = x0 + sx, sum = 0;
                for (int v = (int)y0; v < Math.Min(Height, (int)Math.Ceiling(y1)); v++)
                {
                    double wy = Math.Min(y1, v + 1) - Math.Max(y0, v);
                    if (wy <= 0) continue;
                    for (int u = (int)x0; u < Math.Min(Width, (int)Math.Ceiling(x1)); u++)
                    {
                        double wx = Math.Min(x1, u + 1) - Math.Max(x0, u);
                        if (wx > 0) sum += wx * wy * Values[v * Width + u];
                    }
                }
                result.Values[y * width + x] = (float)(sum / (sx * sy));
            }
        }
        return result;
    }

    /// <summary>Rotated by <paramref name="degrees"/> (counter-clockwise) about the centre, same size.</summary>
    public InkMap Rotate(double degrees)
    {
        var result = new InkMap(Width, Height);
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double cx = (Width - 1) / 2.0, cy = (Height - 1) / 2.0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                double dx = x - cx, dy = y - cy;
                result.Values[y * Width + x] = Sample(cx + cos * dx - sin * dy, cy + sin * dx + cos * dy);
            }
        return result;
    }

    /// <summary>Grey-level dilation (<paramref name="radius"/> &gt; 0, thicker strokes) or erosion (&lt; 0, thinner) with a disc.</summary>
    public InkMap Morph(int radius)
    {
        int r = Math.Abs(radius);
        bool dilate = radius > 0;
        var result = new InkMap(Width, Height);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                float best = dilate ? 0f : 1f;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++)
                    {
                        if (dx * dx + dy * dy > r * r + r) continue;
                        float v = At(x + dx, y + dy);
                        best = dilate ? Math.Max(best, v) : Math.Min(best, v);
                    }
                result.Values[y * Width + x] = best;
            }
        return result;
    }

    /// <summary>The smallest rectangle holding every value above <paramref name="threshold"/>; the whole map when none is.</summary>
    public (int X, int Y, int Width, int Height) TightBox(float threshold = 0.05f)
    {
        int left = Width, top = Height, right = -1, bottom = -1;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (Values[y * Width + x] > threshold)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                }
        return right < 0 ? (0, 0, Width, Height) : (left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>The rectangle as a new map (parts outside are paper).</summary>
    public InkMap Crop(int x, int y, int width, int height)
    {
        var result = new InkMap(width, height);
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
                result.Values[v * width + u] = At(x + u, y + v);
        return result;
    }
}
