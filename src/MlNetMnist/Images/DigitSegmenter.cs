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
/// components of the ink (8-connected), specks dropped, pieces of one digit above each other merged;
/// then either by shape alone (components much wider than a digit split at the columns of least ink) or
/// driven by recognition (candidate merges, cuts and left-out pieces scored by the classifier). Left to right.
/// </summary>
internal static class DigitSegmenter
{
    /// <summary>Ink above this fraction of the strongest is part of a component.</summary>
    private const float InkLevel = 0.2f;

    /// <summary>A component wider than this many digit heights holds more than one digit.</summary>
    private const double SplitWidth = 1.5;

    /// <summary>Width of one digit, in digit heights, when splitting.</summary>
    private const double DigitWidth = 0.8;

    // The recognition-driven segmentation's priors (chosen on numbers composed from the validation split,
    // never on the test set; see the README's "Whole numbers").

    /// <summary>Probabilities below this count as this (the log of a near-zero probability is not informative).</summary>
    private const float MinProbability = 1e-4f;

    /// <summary>Added per digit found, so that the sum of log probabilities does not favour fewer digits.</summary>
    private const double DigitBonus = 1.0;

    /// <summary>Subtracted per cut through a component.</summary>
    private const double CutPenalty = 3.0;

    /// <summary>Subtracted when a small piece of ink is left out.</summary>
    private const double DropPenalty = 0.5;

    /// <summary>A piece shorter than this many digit heights is small: rarely a digit on its own.</summary>
    private const double SmallHeight = 0.5;

    /// <summary>Subtracted for a candidate digit that is small.</summary>
    private const double SmallPenalty = 3.0;

    /// <summary>Candidate digits wider than this (width / height) pay <see cref="WidePenalty"/> per unit of aspect above it.</summary>
    private const double WideAspect = 1.0;

    /// <summary>See <see cref="WideAspect"/>.</summary>
    private const double WidePenalty = 4.0;

    /// <summary>A small piece may be merged with a neighbour at most this many digit heights away.</summary>
    private const double MergeGap = 0.4;

    /// <summary>A merged digit is at most this many digit heights wide.</summary>
    private const double MergeWidth = 1.3;

    /// <summary>
    /// Segments by shape alone: pieces above each other merged, components wider than
    /// <see cref="SplitWidth"/> digit heights split at the columns of least ink.
    /// </summary>
    public static IReadOnlyList<DigitSegment> Segment(GrayImage image)
    {
        if (Prepare(image) is not { } row) return [];
        var segments = new List<DigitSegment>();
        foreach (var c in row.Blocks)
        {
            int pieces = c.Width > SplitWidth * row.DigitHeight ? Math.Max(2, (int)Math.Round(c.Width / (DigitWidth * row.DigitHeight))) : 1;
            List<int> cuts = pieces == 1 ? [c.Left, c.Right + 1] : Cuts(row, c, pieces);
            for (int p = 0; p + 1 < cuts.Count; p++)
                if (Crop(row, [c], cuts[p], cuts[p + 1], pieces > 1) is { } segment) segments.Add(segment);
        }
        return segments;
    }

    /// <summary>
    /// Segments driven by recognition: candidate segmentations of the row (a small piece of ink kept as a
    /// digit, merged into a neighbour or dropped; a wide component kept whole or cut into 2 or 3 digits at
    /// columns of little ink) are scored with <paramref name="confidence"/>, the classifier's top
    /// probability for a candidate digit (null: too little ink to be a digit), and the segmentation with
    /// the best total (sum of log probabilities, plus priors on digit size and against cuts) is kept.
    /// Deterministic: the same image and classifier give the same segments.
    /// </summary>
    /// <param name="image">The row of digits.</param>
    /// <param name="confidence">Top probability of a candidate digit; called once per candidate.</param>
    public static IReadOnlyList<DigitSegment> Segment(GrayImage image, Func<DigitSegment, float?> confidence)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        return Prepare(image) is { } row ? FreeSegments(row, confidence) : [];
    }

    private static List<DigitSegment> FreeSegments(Row row, Func<DigitSegment, float?> confidence) =>
        new RowSearch(row, confidence, CutSearch.Free, digitCount: null).Best() ?? [];

    /// <summary>
    /// Segments driven by recognition into exactly <paramref name="digitCount"/> digits (a field of known
    /// length: a postal code, an account number): as <see cref="Segment(GrayImage, Func{DigitSegment, float?})"/>,
    /// but only segmentations with that many digits count, and components are tried as touching digits from
    /// narrower widths and at more cut positions (<see cref="CutSearch.KnownCount"/>): knowing how many
    /// digits there are decides what the shapes alone cannot.
    /// </summary>
    /// <param name="image">The row of digits.</param>
    /// <param name="confidence">Top probability of a candidate digit; called once per candidate.</param>
    /// <param name="digitCount">How many digits the row holds; at least 1.</param>
    /// <returns>
    /// The segments and true; or, when the row cannot be read as that many digits (too few or too many
    /// pieces of ink), the free segmentation of the same row and false.
    /// </returns>
    public static (IReadOnlyList<DigitSegment> Segments, bool CountMet) Segment(GrayImage image, Func<DigitSegment, float?> confidence, int digitCount)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentOutOfRangeException.ThrowIfLessThan(digitCount, 1);
        if (Prepare(image) is not { } row) return ([], false);
        // A count above what the blocks can give cannot be met (and would only make the search larger).
        if (digitCount <= MaxPieces * row.Blocks.Count
            && new RowSearch(row, confidence, CutSearch.KnownCount, digitCount).Best() is { } counted)
            return (counted, true);
        return (FreeSegments(row, confidence), false);
    }

    /// <summary>Most digits one block (a component, or pieces merged) is cut into.</summary>
    private const int MaxPieces = 3;

    /// <summary>Which components are tried as touching digits, and where they are cut.</summary>
    /// <param name="Width2">A component at least this many times as wide as tall may be cut in two.</param>
    /// <param name="Width3">A component at least this many times as wide as tall may be cut in three.</param>
    /// <param name="MaxCandidates">Most cuts tried for a component cut in two.</param>
    /// <param name="Reach">Cuts in two are tried at the column ink's local minima from this fraction of the width to one minus it.</param>
    private sealed record CutSearch(double Width2, double Width3, int MaxCandidates, double Reach)
    {
        /// <summary>The free reading: only components clearly wider than a digit are cut.</summary>
        public static readonly CutSearch Free = new(1.2, 1.8, 3, 0.25);

        /// <summary>
        /// With the digit count known, narrower components and more positions are tried: the count rules
        /// out the readings that made these too risky in the free search (chosen on validation numbers).
        /// </summary>
        public static readonly CutSearch KnownCount = new(0.6, 1.0, 8, 0.15);
    }

    /// <summary>
    /// The dynamic programme over the row's blocks, left to right: the best-scoring segmentation of the
    /// first i blocks (into exactly k digits when the count is given).
    /// </summary>
    private sealed class RowSearch
    {
        private readonly Row _row;
        private readonly Func<DigitSegment, float?> _confidence;
        private readonly CutSearch _cuts;
        private readonly int? _count;
        private readonly Dictionary<DigitSegment, double> _scores = new(ReferenceEqualityComparer.Instance);
        private readonly double[,] _best;
        private readonly List<DigitSegment>?[,] _choice;
        private readonly (int Block, int Digits)[,] _from;

        public RowSearch(Row row, Func<DigitSegment, float?> confidence, CutSearch cuts, int? digitCount)
        {
            _row = row;
            _confidence = confidence;
            _cuts = cuts;
            _count = digitCount;
            int n = row.Blocks.Count, k = (digitCount ?? 0) + 1;
            _best = new double[n + 1, k];
            _choice = new List<DigitSegment>?[n + 1, k];
            _from = new (int, int)[n + 1, k];
            for (int i = 0; i <= n; i++)
                for (int j = 0; j < k; j++) _best[i, j] = double.NegativeInfinity;
            _best[0, 0] = 0;
            _choice[0, 0] = [];
        }

        /// <summary>The best segmentation, or null when none has the given count.</summary>
        public List<DigitSegment>? Best()
        {
            int n = _row.Blocks.Count, states = _best.GetLength(1);
            for (int i = 0; i < n; i++)
            {
                List<Reading>? readings = null; // each block's readings are made (and classified) once, whatever the digits before it
                for (int k = 0; k < states; k++)
                {
                    if (double.IsNegativeInfinity(_best[i, k])) continue;
                    readings ??= Readings(i);
                    foreach (var reading in readings) Offer(i, k, reading);
                }
            }

            int last = _count ?? 0;
            if (double.IsNegativeInfinity(_best[n, last])) return null;
            var result = new List<DigitSegment>();
            for ((int i, int k) = (n, last); i > 0; (i, k) = _from[i, k]) result.InsertRange(0, _choice[i, k] ?? []);
            return result;
        }

        /// <summary>One way of reading block i (and maybe the next ones): up to block <see cref="Next"/>, with its score and digits.</summary>
        private sealed record Reading(int Next, double Score, List<DigitSegment> Segments);

        private void Offer(int i, int k, Reading reading)
        {
            int to = _count is null ? 0 : k + reading.Segments.Count;
            double total = _best[i, k] + reading.Score;
            if (to >= _best.GetLength(1) || !(total > _best[reading.Next, to] + 1e-12)) return;
            _best[reading.Next, to] = total;
            _choice[reading.Next, to] = reading.Segments;
            _from[reading.Next, to] = (i, k);
        }

        private double Score(DigitSegment segment)
        {
            if (_scores.TryGetValue(segment, out double known)) return known;
            double value = _confidence(segment) is float p
                ? Math.Log(Math.Max(p, MinProbability)) + DigitBonus - SizePenalty(segment, _row.DigitHeight)
                : double.NegativeInfinity;
            _scores[segment] = value;
            return value;
        }

        /// <summary>Every way of reading block <paramref name="i"/> (and maybe the next ones), in the order they are offered.</summary>
        private List<Reading> Readings(int i)
        {
            var blocks = _row.Blocks;
            int n = blocks.Count;
            double h = _row.DigitHeight;
            var readings = new List<Reading>();
            var c = blocks[i];
            bool small = c.Height < SmallHeight * h;
            // Kept whole, as one digit.
            var whole = Crop(_row, [c], c.Left, c.Right + 1, split: false);
            double s = whole is null ? double.NegativeInfinity : Score(whole);
            if (!double.IsNegativeInfinity(s)) readings.Add(new(i + 1, s, [whole!]));
            // Too little ink to be a digit, or a small piece: may be left out.
            if (double.IsNegativeInfinity(s)) readings.Add(new(i + 1, 0, []));
            else if (small) readings.Add(new(i + 1, -DropPenalty, []));

            // Cut into 2 or 3 digits.
            for (int pieces = 2; pieces <= MaxPieces; pieces++)
            {
                if (c.Width < (pieces == 2 ? _cuts.Width2 : _cuts.Width3) * Math.Max(c.Height, 0.6 * h) || small) continue;
                foreach (var cuts in CutCandidates(_row, c, pieces, _cuts))
                {
                    double total = -CutPenalty * (pieces - 1);
                    var parts = new List<DigitSegment>();
                    for (int p = 0; p + 1 < cuts.Count; p++)
                    {
                        var part = Crop(_row, [c], cuts[p], cuts[p + 1], split: true);
                        if (part is null) { total = double.NegativeInfinity; break; }
                        total += Score(part);
                        parts.Add(part);
                        if (double.IsNegativeInfinity(total)) break;
                    }
                    if (!double.IsNegativeInfinity(total)) readings.Add(new(i + 1, total, parts));
                }
            }

            // Merged with the next one or two blocks when one of them is a small piece close by.
            var group = new List<Component> { c };
            bool anySmall = small;
            for (int j = i + 1; j < n && j <= i + 2; j++)
            {
                var d = blocks[j];
                int gap = d.Left - group.Max(g => g.Right) - 1;
                if (gap > MergeGap * h) break;
                group.Add(d);
                anySmall |= d.Height < SmallHeight * h;
                int left = group.Min(g => g.Left), right = group.Max(g => g.Right);
                if (!anySmall || right - left + 1 > MergeWidth * h) continue;
                if (Crop(_row, group, left, right + 1, split: false) is { } merged && Score(merged) is var m && !double.IsNegativeInfinity(m))
                    readings.Add(new(j + 1, m, [merged]));
            }
            return readings;
        }
    }

    /// <summary>A prior on a candidate digit's size: pieces much shorter than a digit, and digits much wider than tall, are unlikely.</summary>
    private static double SizePenalty(DigitSegment segment, double digitHeight)
    {
        double penalty = 0;
        if (segment.Height < SmallHeight * digitHeight) penalty += SmallPenalty;
        double aspect = (double)segment.Width / Math.Max(segment.Height, 0.6 * digitHeight);
        if (aspect > WideAspect) penalty += WidePenalty * (aspect - WideAspect);
        return penalty;
    }

    /// <summary>The row's ink, components and blocks (components with pieces above each other merged), or null without ink.</summary>
    private static Row? Prepare(GrayImage image)
    {
        int w = image.Width, h = image.Height;
        var ink = Ink(image);
        if (ink is null) return null;
        var labels = new int[w * h];
        var components = Components(ink, w, h, labels);
        if (components.Count == 0) return null;

        // Specks: far smaller than the largest component in area and in height.
        int largestArea = components.Max(c => c.Area), tallest = components.Max(c => c.Height);
        components = components.Where(c => c.Area >= 0.04 * largestArea || c.Height >= 0.35 * tallest).ToList();

        // Pieces of one digit (a detached bar of a 5, a broken stroke): columns overlapping by 30% of the narrower.
        components.Sort((a, b) => a.Left != b.Left ? a.Left.CompareTo(b.Left) : a.Id.CompareTo(b.Id));
        var merged = new List<Component>();
        foreach (var c in components)
        {
            var last = merged.Count > 0 ? merged[^1] : null;
            if (last is not null && Overlap(last, c) >= 0.3 * Math.Min(last.Width, c.Width)) last.Absorb(c);
            else merged.Add(c);
        }

        double digitHeight = Median(merged.Where(c => c.Height >= 0.5 * tallest).Select(c => (double)c.Height));
        return new Row(ink, w, labels, merged, digitHeight);
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

    /// <summary>The component's ink per column.</summary>
    private static double[] ColumnInk(Row row, Component c)
    {
        var columnInk = new double[c.Width];
        for (int y = c.Top; y <= c.Bottom; y++)
            for (int x = c.Left; x <= c.Right; x++)
                if (c.Owns(row.Labels[y * row.Width + x])) columnInk[x - c.Left] += row.Ink[y * row.Width + x];
        return columnInk;
    }

    /// <summary>
    /// Candidate cuts into <paramref name="pieces"/> digits: the even division's ink minima
    /// (<see cref="Cuts"/>) and, for two pieces, the other local minima of the column ink between
    /// <see cref="CutSearch.Reach"/> and 1 - reach of the width (at most <see cref="CutSearch.MaxCandidates"/>
    /// in all, least ink first).
    /// </summary>
    private static IEnumerable<List<int>> CutCandidates(Row row, Component c, int pieces, CutSearch search)
    {
        var standard = Cuts(row, c, pieces);
        yield return standard;
        if (pieces != 2) yield break;
        var columnInk = ColumnInk(row, c);
        int from = Math.Max(1, (int)(c.Width * search.Reach)), to = Math.Min(c.Width - 2, (int)(c.Width * (1 - search.Reach)));
        var minima = new List<int>();
        for (int x = from; x <= to; x++)
            if (columnInk[x] <= columnInk[x - 1] && columnInk[x] <= columnInk[x + 1] && c.Left + x != standard[1]
                && !minima.Any(m => Math.Abs(m - x) < 3) && Math.Abs(c.Left + x - standard[1]) >= 3)
                minima.Add(x);
        foreach (int x in minima.OrderBy(x => columnInk[x]).ThenBy(x => x).Take(search.MaxCandidates - 1))
            yield return [c.Left, c.Left + x, c.Right + 1];
    }

    /// <summary>Cut columns for <paramref name="pieces"/> digits: near each even division, the column with the least of the component's ink.</summary>
    private static List<int> Cuts(Row row, Component c, int pieces)
    {
        var columnInk = ColumnInk(row, c);
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

    /// <summary>The components' ink between columns <paramref name="from"/> and <paramref name="to"/>, as dark ink on white with a margin.</summary>
    private static DigitSegment? Crop(Row row, IReadOnlyList<Component> group, int from, int to, bool split)
    {
        float[] ink = row.Ink;
        int w = row.Width;
        int[] labels = row.Labels;
        var c = group.Count == 1 ? group[0] : Component.Union(group);
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

    /// <summary>The ink of a row (0-1), its component labels and blocks, and the typical digit height.</summary>
    private sealed record Row(float[] Ink, int Width, int[] Labels, List<Component> Blocks, double DigitHeight);

    /// <summary>A connected component (or several merged), with its box and area.</summary>
    private sealed class Component(int id)
    {
        /// <summary>A new component owning all of <paramref name="group"/>'s pixels (they stay unchanged).</summary>
        public static Component Union(IReadOnlyList<Component> group)
        {
            var union = new Component(group[0].Id);
            foreach (var c in group) union.Absorb(c);
            return union;
        }

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
