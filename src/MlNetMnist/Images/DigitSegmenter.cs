namespace MlNetMnist.Images;

/// <summary>One digit found in a row of digits: its box in the image and its own ink as a gray image.</summary>
/// <param name="X">Left edge in the image, pixels.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Split">True when the digit was cut from a wider component (digits touching each other).</param>
/// <param name="Crop">The digit alone, dark ink on white paper with a margin (other digits' ink removed).</param>
internal sealed record DigitSegment(int X, int Y, int Width, int Height, bool Split, GrayImage Crop);

/// <summary>
/// Finds the digits of a row of handwritten digits: polarity and ink as for a single digit, connected
/// components of the ink (8-connected), specks dropped, pieces of one digit above each other merged,
/// and components much wider than a digit split at the columns of least ink. Left to right.
/// </summary>
internal static class DigitSegmenter
{
    /// <summary>Ink above this fraction of the strongest is part of a component.</summary>
    private const float InkLevel = 0.2f;

    /// <summary>A component wider than this many digit heights holds more than one digit.</summary>
    private const double SplitWidth = 1.5;

    /// <summary>Width of one digit, in digit heights, when splitting.</summary>
    private const double DigitWidth = 0.8;

    public static IReadOnlyList<DigitSegment> Segment(GrayImage image)
    {
        int w = image.Width, h = image.Height;
        var ink = Ink(image);
        if (ink is null) return [];
        var labels = new int[w * h];
        var components = Components(ink, w, h, labels);
        if (components.Count == 0) return [];

        // Specks: far smaller than the largest component in area and in height.
        int largestArea = components.Max(c => c.Area), tallest = components.Max(c => c.Height);
        components = components.Where(c => c.Area >= 0.04 * largestArea || c.Height >= 0.35 * tallest).ToList();

        // Pieces of one digit (a detached bar of a 5, a broken stroke): columns overlapping by 30% of the narrower.
        components.Sort((a, b) => a.Left.CompareTo(b.Left));
        var merged = new List<Component>();
        foreach (var c in components)
        {
            var last = merged.Count > 0 ? merged[^1] : null;
            if (last is not null && Overlap(last, c) >= 0.3 * Math.Min(last.Width, c.Width)) last.Absorb(c);
            else merged.Add(c);
        }

        double digitHeight = Median(merged.Where(c => c.Height >= 0.5 * tallest).Select(c => (double)c.Height));
        var segments = new List<DigitSegment>();
        foreach (var c in merged)
        {
            int pieces = c.Width > SplitWidth * digitHeight ? Math.Max(2, (int)Math.Round(c.Width / (DigitWidth * digitHeight))) : 1;
            List<int> cuts = pieces == 1 ? [c.Left, c.Right + 1] : Cuts(ink, w, labels, c, pieces);
            for (int p = 0; p + 1 < cuts.Count; p++)
                if (Crop(ink, w, labels, c, cuts[p], cuts[p + 1], pieces > 1) is { } segment) segments.Add(segment);
        }
        return segments;
    }

    /// <summary>Ink 0-1 (light ink on dark after choosing the polarity), or null for a blank image.</summary>
    private static float[]? Ink(GrayImage image)
    {
        int ring = MnistCentringSpec.RingWidth(image.Width, image.Height);
        float border = image.BorderMean(ring);
        bool invert = border > MnistCentringSpec.LightBorder;
        float background = invert ? 255f - border : border;
        var ink = new float[image.Values.Length];
        for (int i = 0; i < ink.Length; i++) ink[i] = Math.Max(0f, (invert ? 255f - image.Values[i] : image.Values[i]) - background);
        float peak = MnistCentring.BoxBlur3(ink, image.Width, image.Height).Max();
        if (peak < 8f) return null;
        for (int i = 0; i < ink.Length; i++) ink[i] = Math.Min(1f, ink[i] / peak);
        return ink;
    }

    private static List<Component> Components(float[] ink, int w, int h, int[] labels)
    {
        var components = new List<Component>();
        var stack = new Stack<int>();
        for (int start = 0; start < ink.Length; start++)
        {
            if (labels[start] != 0 || ink[start] <= InkLevel) continue;
            var c = new Component(components.Count + 1);
            components.Add(c);
            labels[start] = c.Id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop(), x = i % w, y = i / w;
                c.Add(x, y);
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        int n = ny * w + nx;
                        if (labels[n] != 0 || ink[n] <= InkLevel) continue;
                        labels[n] = c.Id;
                        stack.Push(n);
                    }
            }
        }
        return components;
    }

    /// <summary>Cut columns for <paramref name="pieces"/> digits: near each even division, the column with the least of the component's ink.</summary>
    private static List<int> Cuts(float[] ink, int w, int[] labels, Component c, int pieces)
    {
        var columnInk = new double[c.Width];
        for (int y = c.Top; y <= c.Bottom; y++)
            for (int x = c.Left; x <= c.Right; x++)
                if (c.Owns(labels[y * w + x])) columnInk[x - c.Left] += ink[y * w + x];
        var cuts = new List<int> { c.Left };
        double step = (double)c.Width / pieces;
        for (int p = 1; p < pieces; p++)
        {
            int centre = (int)Math.Round(p * step), reach = (int)(step * 0.3);
            int best = centre;
            for (int x = Math.Max(1, centre - reach); x <= Math.Min(c.Width - 2, centre + reach); x++)
                if (columnInk[x] < columnInk[best]) best = x;
            cuts.Add(c.Left + best);
        }
        cuts.Add(c.Right + 1);
        return cuts;
    }

    /// <summary>The component's ink between columns <paramref name="from"/> and <paramref name="to"/>, as dark ink on white with a margin.</summary>
    private static DigitSegment? Crop(float[] ink, int w, int[] labels, Component c, int from, int to, bool split)
    {
        int top = int.MaxValue, bottom = -1, left = int.MaxValue, right = -1;
        for (int y = c.Top; y <= c.Bottom; y++)
            for (int x = from; x < to; x++)
                if (c.Owns(labels[y * w + x]))
                {
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                }
        if (bottom < 0) return null;
        int width = right - left + 1, height = bottom - top + 1;
        int margin = Math.Max(2, Math.Max(width, height) / 5);
        int cw = width + 2 * margin, ch = height + 2 * margin;
        var values = new float[cw * ch];
        Array.Fill(values, 255f);
        for (int y = top; y <= bottom; y++)
            for (int x = left; x <= right; x++)
            {
                int i = y * w + x;
                // The component's own pixels, and the faint edge pixels next to them that belong to no component.
                if (c.Owns(labels[i]) || (labels[i] == 0 && TouchesOwn(labels, w, ink.Length / w, x, y, c, left, right)))
                    values[(y - top + margin) * cw + (x - left + margin)] = 255f * (1f - ink[i]);
            }
        return new DigitSegment(left, top, width, height, split, new GrayImage(cw, ch, values));
    }

    private static bool TouchesOwn(int[] labels, int w, int h, int x, int y, Component c, int left, int right)
    {
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                int nx = x + dx, ny = y + dy;
                if (nx < left || nx > right || ny < 0 || ny >= h) continue;
                if (c.Owns(labels[ny * w + nx])) return true;
            }
        return false;
    }

    private static int Overlap(Component a, Component b) => Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left) + 1;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 1 : sorted[sorted.Length / 2];
    }

    /// <summary>A connected component (or several merged), with its box and area.</summary>
    private sealed class Component(int id)
    {
        private readonly HashSet<int> _ids = [id];

        public int Id { get; } = id;

        public int Left { get; private set; } = int.MaxValue;

        public int Right { get; private set; } = -1;

        public int Top { get; private set; } = int.MaxValue;

        public int Bottom { get; private set; } = -1;

        public int Area { get; private set; }

        public int Width => Right - Left + 1;

        public int Height => Bottom - Top + 1;

        public bool Owns(int label) => label != 0 && _ids.Contains(label);

        public void Add(int x, int y)
        {
            Left = Math.Min(Left, x);
            Right = Math.Max(Right, x);
            Top = Math.Min(Top, y);
            Bottom = Math.Max(Bottom, y);
            Area++;
        }

        public void Absorb(Component other)
        {
            _ids.UnionWith(other._ids);
            Left = Math.Min(Left, other.Left);
            Right = Math.Max(Right, other.Right);
            Top = Math.Min(Top, other.Top);
            Bottom = Math.Max(Bottom, other.Bottom);
            Area += other.Area;
        }
    }
}
