using System.Numerics;
using System.Runtime.InteropServices;

namespace MlNetMnist.Images;

/// <summary>The C# implementation of <see cref="MnistCentringSpec"/> (the ONNX one is <c>Onnx/OnnxCentringEmitter</c>).</summary>
internal static class MnistCentring
{
    /// <summary>Prepares <paramref name="image"/> (any size, at the working resolution); returns <c>Width * Height</c> values 0-255, light ink on dark.</summary>
    public static float[] Apply(GrayImage image, MnistCentringSpec spec)
    {
        int w = image.Width, h = image.Height;
        var output = new float[spec.Width * spec.Height];
        float border = image.BorderMean(MnistCentringSpec.RingWidth(w, h));
        bool invert = spec.AutoInvert && border > MnistCentringSpec.LightBorder;
        float background = invert ? 255f - border : border;

        // Ink above the background, stretched so the strongest (blurred) ink is 255, then the noise-floor ramp.
        var ink = new float[w * h];
        for (int i = 0; i < ink.Length; i++)
        {
            float g = invert ? 255f - image.Values[i] : image.Values[i];
            ink[i] = Math.Max(0f, g - background);
        }
        float peak = BoxBlur3(ink, w, h).Max();
        if (peak < spec.BlankContrast) return output;
        float gain = 255f / peak, low = spec.NoiseFloor * 255f, range = (spec.FullInk - spec.NoiseFloor) * 255f;
        for (int i = 0; i < ink.Length; i++)
        {
            float stretched = Math.Min(255f, ink[i] * gain);
            ink[i] = Math.Clamp((stretched - low) / range, 0f, 1f) * 255f;
        }

        // The digit's region: where ink is dense (a wide box blur well above that of scattered noise), widened
        // by the blur's size; ink outside it (specks, stray marks away from the digit) is paper.
        int k = spec.RegionKernel;
        var density = BoxBlur(ink, w, h, k);
        float densest = density.Max(), dense = spec.RegionThreshold * densest;
        var region = new float[ink.Length];
        for (int i = 0; i < ink.Length; i++) region[i] = density[i] > dense ? 1f : 0f;
        region = MaxFilter(region, w, h, k);
        for (int i = 0; i < ink.Length; i++) ink[i] *= region[i];

        // Specks: a pixel stays ink only when enough of its neighbourhood is ink (isolated noise does not);
        // then isolated specks: noise clusters enlarged by the fit to the working size fill a 5x5 box, not a wider one.
        KeepWhereNeighbourhoodHolds(ink, w, h, spec.SpeckKernel, spec.SpeckThreshold);
        KeepWhereNeighbourhoodHolds(ink, w, h, spec.IsolationKernel, spec.IsolationThreshold);

        var blurred = BoxBlur3(ink, w, h);
        float threshold = spec.InkThreshold * 255f;
        int left = w, top = h, right = -1, bottom = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (blurred[y * w + x] <= threshold) continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = Math.Max(bottom, y);
            }
        if (right < 0) return output;

        int boxWidth = right - left + 1, boxHeight = bottom - top + 1;
        double scale = (double)spec.BoxSize / Math.Max(boxWidth, boxHeight);
        int scaledWidth = Math.Clamp((int)Math.Round(boxWidth * scale), 1, spec.BoxSize);
        int scaledHeight = Math.Clamp((int)Math.Round(boxHeight * scale), 1, spec.BoxSize);
        var digit = AreaResampler.Resize(new GrayImage(w, h, ink).Crop(left, top, boxWidth, boxHeight), scaledWidth, scaledHeight);

        // Centre of mass (pixel-index coordinates) to the middle of the output, by a whole-pixel shift.
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < digit.Height; y++)
            for (int x = 0; x < digit.Width; x++)
            {
                float v = digit[x, y];
                mass += v;
                mx += v * x;
                my += v * y;
            }
        if (mass <= 0) return output;
        int offsetX = (int)Math.Round(spec.Width / 2.0 - mx / mass);
        int offsetY = (int)Math.Round(spec.Height / 2.0 - my / mass);
        for (int y = 0; y < digit.Height; y++)
        {
            int ty = y + offsetY;
            if (ty < 0 || ty >= spec.Height) continue;
            for (int x = 0; x < digit.Width; x++)
            {
                int tx = x + offsetX;
                if (tx >= 0 && tx < spec.Width) output[ty * spec.Width + tx] = Math.Clamp(digit[x, y], 0f, 255f);
            }
        }
        return output;
    }

    /// <summary>Sets to paper (0) every pixel of <paramref name="ink"/> whose <paramref name="size"/> x <paramref name="size"/> box blur is not above <paramref name="fraction"/> of full ink.</summary>
    private static void KeepWhereNeighbourhoodHolds(float[] ink, int width, int height, int size, float fraction)
    {
        var neighbourhood = BoxBlur(ink, width, height, size);
        float least = fraction * 255f;
        for (int i = 0; i < ink.Length; i++) if (neighbourhood[i] <= least) ink[i] = 0f;
    }

    /// <summary>Mean of each pixel's <paramref name="size"/> x <paramref name="size"/> neighbourhood (odd size), pixels outside counting as 0.</summary>
    public static float[] BoxBlur(float[] values, int width, int height, int size) =>
        Separable(values, width, height, size, WindowCombine.Sum, 1f / (size * size));

    /// <summary>Maximum over each pixel's <paramref name="size"/> x <paramref name="size"/> neighbourhood (odd size), pixels outside ignored; values must not be NaN.</summary>
    public static float[] MaxFilter(float[] values, int width, int height, int size) =>
        Separable(values, width, height, size, WindowCombine.Max, 1f);

    /// <summary>
    /// A separable window filter: each row's windows, then each column's windows of those. Each pixel's
    /// values are combined in window order (left to right, then top to bottom) whatever the vector width,
    /// so sums round the same way on every machine; outside pixels are skipped (adding 0 changes no sum).
    /// </summary>
    private static float[] Separable(float[] values, int width, int height, int size, WindowCombine combine, float scale)
    {
        int r = size / 2;
        float seed = combine == WindowCombine.Sum ? 0f : float.NegativeInfinity;
        var rows = new float[values.Length];
        for (int y = 0; y < height; y++)
        {
            var acc = rows.AsSpan(y * width, width);
            acc.Fill(seed);
            for (int d = -r; d <= r; d++) CombineShifted(acc, values.AsSpan(y * width, width), d, combine);
        }
        var result = new float[values.Length];
        for (int y = 0; y < height; y++)
        {
            var acc = result.AsSpan(y * width, width);
            acc.Fill(seed);
            for (int d = -r; d <= r; d++)
            {
                int yy = y + d;
                if (yy >= 0 && yy < height) CombineShifted(acc, rows.AsSpan(yy * width, width), 0, combine);
            }
            if (scale != 1f) Scale(acc, scale);
        }
        return result;
    }

    /// <summary>Mean of each pixel's 3x3 neighbourhood, counting pixels outside the image as 0 (as a zero-padded convolution).</summary>
    public static float[] BoxBlur3(float[] values, int width, int height)
    {
        var result = new float[values.Length];
        for (int y = 0; y < height; y++)
        {
            var sum = result.AsSpan(y * width, width);
            for (int dy = -1; dy <= 1; dy++)
            {
                int yy = y + dy;
                if (yy < 0 || yy >= height) continue;
                for (int dx = -1; dx <= 1; dx++) CombineShifted(sum, values.AsSpan(yy * width, width), dx, WindowCombine.Sum);
            }
            for (int x = 0; x < width; x++) sum[x] /= 9f;
        }
        return result;
    }

    private enum WindowCombine { Sum, Max }

    /// <summary><c>acc[x] = combine(acc[x], row[x + shift])</c> for every <c>x</c> where <c>x + shift</c> is inside the row.</summary>
    private static void CombineShifted(Span<float> acc, ReadOnlySpan<float> row, int shift, WindowCombine combine)
    {
        int from = Math.Max(0, -shift), to = Math.Min(acc.Length, row.Length - shift);
        if (to <= from) return;
        var target = acc[from..to];
        var source = row.Slice(from + shift, to - from);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var targetVectors = MemoryMarshal.Cast<float, Vector<float>>(target);
            var sourceVectors = MemoryMarshal.Cast<float, Vector<float>>(source);
            for (int v = 0; v < targetVectors.Length; v++)
                targetVectors[v] = combine == WindowCombine.Sum ? targetVectors[v] + sourceVectors[v] : Vector.Max(targetVectors[v], sourceVectors[v]);
            i = targetVectors.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] = combine == WindowCombine.Sum ? target[i] + source[i] : Math.Max(target[i], source[i]);
    }

    private static void Scale(Span<float> values, float scale)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= scale;
    }
}
