using MlNetMnist.Networks;

namespace MlNetMnist.Calibration;

/// <summary>
/// The raw statistics behind the out-of-distribution score of one input row, computed the same way in
/// managed code (the in-process scorer, calibration) and in the ONNX graph (<c>OnnxCalibrationEmitter</c>):
/// <list type="number">
/// <item><c>energy</c>: <c>-logsumexp(logits)</c>, high when no class fits (one-sided);</item>
/// <item><c>border</c>: mean ink (0-1) in the outer ring 3 pixels wide, high for noise and textures (one-sided);</item>
/// <item><c>midtones</c>: the fraction of the inked pixels (above 40) that are mid-grey (40-215), high for noise and grey patterns (one-sided);</item>
/// <item><c>spread</c>: <c>ln((var x + 1) / (var y + 1))</c> of the ink's position, away from the usual for several digits side by side or a cut digit (two-sided);</item>
/// <item><c>mass</c>: <c>ln(ink / 255 + 1)</c>, the amount of ink, away from the usual for scribbles and fragments (two-sided);</item>
/// <item><c>doubt</c>: <c>1 - max(softmax(logits / T))</c>, one less the (temperature-scaled) top probability (one-sided).</item>
/// </list>
/// The ink statistics read the pixels after the network's own polarity step (<see cref="AutoInvertSpec"/>) when it has one.
/// </summary>
internal static class OutOfDistributionStatistics
{
    /// <summary>The statistics' names, in slot order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["energy", "border", "midtones", "spread", "mass", "doubt"];

    /// <summary>Number of statistics.</summary>
    public const int Count = 6;

    /// <summary>Whether each statistic is two-sided (distance from the calibration median).</summary>
    public static IReadOnlyList<bool> TwoSided { get; } = [false, false, false, true, true, false];

    /// <summary>Pixel value above which a pixel counts as inked.</summary>
    internal const float InkLevel = 40f;

    /// <summary>Pixel value from which a pixel counts as full ink (not mid-grey).</summary>
    internal const float FullInkLevel = 215f;

    /// <summary>Width of the border ring of <c>border</c>.</summary>
    internal const int BorderWidth = 3;

    /// <summary>Computes the statistics of one row.</summary>
    /// <param name="definition">The network (input shape, and its polarity step if any).</param>
    /// <param name="pixels">The row's raw input values.</param>
    /// <param name="logits">The network's logits for the row.</param>
    /// <param name="temperature">The temperature of the probabilities.</param>
    /// <param name="result">Receives <see cref="Count"/> values.</param>
    public static void Compute(NetworkDefinition definition, ReadOnlySpan<float> pixels, ReadOnlySpan<float> logits, float temperature, Span<float> result)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var layout = Layout.For(definition);
        float[] x = pixels.ToArray();
        if (layout.Invert is { } invert)
        {
            double borderSum = 0;
            foreach (long i in layout.InvertBorder) borderSum += x[i];
            if (borderSum / layout.InvertBorder.Length > invert.Threshold)
                for (int i = 0; i < x.Length; i++) x[i] = invert.MaxValue - x[i];
        }

        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sumExp = 0;
        foreach (float z in logits) sumExp += Math.Exp(z - max);
        result[0] = (float)-(max + Math.Log(sumExp));
        double scaledSum = 0;
        foreach (float z in logits) scaledSum += Math.Exp((z - max) / temperature);
        result[5] = (float)(1 - 1 / scaledSum);

        double border = 0;
        foreach (long i in layout.Border) border += x[i];
        result[1] = (float)(border / layout.Border.Length / 255.0);

        double inked = 0, mid = 0, mass = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (v > InkLevel)
            {
                inked++;
                if (v < FullInkLevel) mid++;
            }
            float cx = layout.X[i], cy = layout.Y[i];
            mass += v;
            sx += v * cx;
            sy += v * cy;
            sxx += v * cx * cx;
            syy += v * cy * cy;
        }
        result[2] = (float)(mid / Math.Max(1.0, inked));
        double m = mass + Epsilon;
        double mx = sx / m, my = sy / m;
        double vx = sxx / m - mx * mx, vy = syy / m - my * my;
        result[3] = (float)Math.Log((Math.Max(vx, 0) + 1) / (Math.Max(vy, 0) + 1));
        result[4] = (float)Math.Log(mass / 255.0 + 1);
    }

    /// <summary>Added to the ink mass before dividing by it (an empty row has no position).</summary>
    internal const float Epsilon = 1e-3f;

    /// <summary>Where each input value sits: its column and row, the border rings, the polarity step.</summary>
    internal sealed record Layout(float[] X, float[] Y, long[] Border, AutoInvertSpec? Invert, long[] InvertBorder)
    {
        public static Layout For(NetworkDefinition d)
        {
            int plane = d.Height * d.Width;
            var xs = new float[d.InputSize];
            var ys = new float[d.InputSize];
            for (int i = 0; i < d.InputSize; i++)
            {
                int p = i % plane;
                xs[i] = p % d.Width;
                ys[i] = p / d.Width;
            }
            int ring = Math.Min(BorderWidth, Math.Max(1, Math.Min(d.Height, d.Width) / 4));
            var border = new AutoInvertSpec(d.Channels, d.Height, d.Width, BorderWidth: ring).BorderIndices();
            var invert = d.Layers.Count > 0 ? d.Layers[0] as AutoInvertSpec : null;
            return new Layout(xs, ys, border, invert, invert?.BorderIndices() ?? []);
        }
    }
}
