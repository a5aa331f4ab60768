using System.Globalization;
using SkiaSharp;

namespace MlNetMnist.Reports;

/// <summary>
/// PNG charts of a report drawn directly with SkiaSharp (2.88, the version ML.NET's image transforms
/// need): the confusion-matrix heatmap and the training curves.
/// </summary>
public static class ReportCharts
{
    /// <summary>Axis steps are 1, 2 or 5 (or 10) times a power of ten.</summary>
    private static readonly double[] NiceSteps = [1.0, 2.0, 5.0, 10.0];

    /// <summary>Classes above which the heatmap's cells get no count labels (they would not fit).</summary>
    public const int MaxLabelledClasses = 40;

    private static readonly SKColor Ink = new(0x1F, 0x29, 0x37);
    private static readonly SKColor MutedInk = new(0x4B, 0x55, 0x63);
    private static readonly SKColor CellBorder = new(0xE5, 0xE7, 0xEB);
    private static readonly SKColor GridLine = new(0xE5, 0xE7, 0xEB);
    private static readonly SKColor[] SeriesColors = [new(0x1F, 0x77, 0xB4), new(0xD6, 0x27, 0x28)];

    /// <summary>
    /// The confusion matrix as a heatmap: true classes down, predicted classes across, each cell
    /// coloured like the HTML report's (blue diagonal by recall, red confusions) and labelled with its count.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="size">Width and height in pixels; null picks one from the number of classes.</param>
    public static byte[] ConfusionMatrixPng(MetricsReport report, int? size = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        int k = report.ClassCount;
        int side = size ?? Math.Clamp(160 + 52 * k, 480, 4000);
        if (side < 1) throw new ArgumentOutOfRangeException(nameof(size), $"Image size {side} is not valid.");
        var rates = report.ConfusionRates;
        double maxConfusion = HeatmapColors.MaxConfusionRate(report);
        var names = report.ClassNames.Select(n => Shorten(n, 16)).ToArray();

        using var surface = NewSurface(side, side);
        var canvas = surface.Canvas;
        using var title = TextPaint(18, Ink, bold: true);
        using var axisTitle = TextPaint(15, Ink);
        using var tick = TextPaint(Math.Clamp(480f / Math.Max(k, 1), 8f, 15f), Ink);

        // Margins from the text around the grid: title above, class names and axis titles left and below.
        bool rotate = names.Any(n => n.Length > 3);
        float maxName = names.Select(n => tick.MeasureText(n)).DefaultIfEmpty(0).Max();
        float top = 14 + title.TextSize * 1.8f;
        float left = 10 + axisTitle.TextSize * 1.6f + maxName + 10;
        float below = rotate ? (maxName + tick.TextSize) * 0.7071f : tick.TextSize * 1.4f;
        float bottom = 8 + below + 10 + axisTitle.TextSize * 1.6f + 6;
        float right = 20;
        float cell = Math.Max(1, Math.Min(side - left - right, side - top - bottom) / Math.Max(k, 1));
        float grid = cell * k;
        float x0 = left + Math.Max(0, (side - left - right - grid) / 2);
        float y0 = top;

        // Cells and counts.
        float countSize = Math.Clamp(420f / Math.Max(k, 1), 7f, 16f);
        using var count = TextPaint(countSize, Ink);
        count.TextAlign = SKTextAlign.Center;
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        using var border = new SKPaint { Style = SKPaintStyle.Stroke, Color = CellBorder, StrokeWidth = 1, IsAntialias = true };
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                double value = report.ConfusionMatrix[t][p];
                var background = HeatmapColors.Background(t == p, value, rates[t][p], maxConfusion);
                var rect = SKRect.Create(x0 + p * cell, y0 + t * cell, cell, cell);
                fill.Color = ToColor(background);
                canvas.DrawRect(rect, fill);
                canvas.DrawRect(rect, border);
                if (k <= MaxLabelledClasses && value > 0)
                {
                    string text = ReportFormat.Count(value);
                    count.TextSize = countSize;
                    float width = count.MeasureText(text);
                    if (width > cell * 0.9f) count.TextSize = Math.Max(5f, countSize * cell * 0.9f / width);
                    count.Color = ToColor(HeatmapColors.Foreground(background));
                    DrawCentred(canvas, text, rect.MidX, rect.MidY, count);
                }
            }
        }

        // Class names: predicted across the bottom, true down the left, the first class top-left.
        using var tickLine = new SKPaint { Style = SKPaintStyle.Stroke, Color = MutedInk, StrokeWidth = 1, IsAntialias = true };
        float gridBottom = y0 + grid;
        for (int i = 0; i < k; i++)
        {
            float cx = x0 + (i + 0.5f) * cell, cy = y0 + (i + 0.5f) * cell;
            canvas.DrawLine(cx, gridBottom, cx, gridBottom + 4, tickLine);
            canvas.DrawLine(x0 - 4, cy, x0, cy, tickLine);
            if (rotate)
            {
                canvas.Save();
                canvas.Translate(cx, gridBottom + 8);
                canvas.RotateDegrees(-45);
                tick.TextAlign = SKTextAlign.Right;
                canvas.DrawText(names[i], 0, tick.TextSize * 0.35f, tick);
                canvas.Restore();
            }
            else
            {
                tick.TextAlign = SKTextAlign.Center;
                canvas.DrawText(names[i], cx, gridBottom + 8 + tick.TextSize, tick);
            }
            tick.TextAlign = SKTextAlign.Right;
            DrawCentred(canvas, names[i], x0 - 8, cy, tick);
        }

        // Titles.
        title.TextAlign = SKTextAlign.Center;
        canvas.DrawText($"Confusion matrix (accuracy {ReportFormat.Percent(report.MicroAccuracy)})", side / 2f, 10 + title.TextSize, title);
        axisTitle.TextAlign = SKTextAlign.Center;
        canvas.DrawText("Predicted class", x0 + grid / 2, gridBottom + 8 + below + 10 + axisTitle.TextSize, axisTitle);
        DrawVertical(canvas, "True class", 10 + axisTitle.TextSize, y0 + grid / 2, axisTitle);
        return EncodePng(surface);
    }

    /// <summary>
    /// Training curves side by side: loss per epoch (training, and validation when measured) and
    /// accuracy per epoch in percent.
    /// </summary>
    /// <param name="training">The training summary (<see cref="MetricsReport.Training"/>).</param>
    /// <param name="width">Width of the whole image in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="ArgumentException">The summary has no epochs.</exception>
    public static byte[] TrainingCurvesPng(TrainingSummary training, int width = 1000, int height = 380)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Epochs.Count == 0) throw new ArgumentException("The training summary has no epochs.", nameof(training));
        if (width < 2 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is not valid.");
        var epochs = training.Epochs.Select(e => (double)e.Epoch).ToArray();
        int half = width / 2;
        using var surface = NewSurface(width, height);
        var canvas = surface.Canvas;
        // Loss falls and accuracy rises, so their legends go where the curves usually are not.
        DrawCurves(canvas, new SKRect(0, 0, half, height), "Loss", "Loss", legendAtTop: true, epochs,
            ("Training", training.Epochs.Select(e => e.TrainLoss).ToArray()),
            ("Validation", training.HasValidation ? training.Epochs.Select(e => e.ValidationLoss ?? double.NaN).ToArray() : null));
        DrawCurves(canvas, new SKRect(half, 0, width, height), "Accuracy", "Accuracy (%)", legendAtTop: false, epochs,
            ("Training", training.Epochs.Select(e => e.TrainAccuracy * 100).ToArray()),
            ("Validation", training.HasValidation ? training.Epochs.Select(e => (e.ValidationAccuracy ?? double.NaN) * 100).ToArray() : null));
        return EncodePng(surface);
    }

    /// <summary>One line chart (title, axes with ticks, grid, lines with markers, legend) inside <paramref name="area"/>.</summary>
    private static void DrawCurves(SKCanvas canvas, SKRect area, string titleText, string yLabel, bool legendAtTop, double[] epochs,
        params (string Name, double[]? Values)[] series)
    {
        var shown = series.Where(s => s.Values is not null).Select(s => (s.Name, Values: s.Values!)).ToArray();
        using var title = TextPaint(17, Ink, bold: true);
        using var axisTitle = TextPaint(14, Ink);
        using var tick = TextPaint(12, Ink);

        // X range: the epochs, a little padding (a single epoch gets one either side).
        double xMin = epochs.Min(), xMax = epochs.Max();
        if (xMax - xMin < 1e-9) { xMin -= 1; xMax += 1; }
        else { double pad = (xMax - xMin) * 0.05; xMin -= pad; xMax += pad; }
        var xTicks = Ticks(xMin, xMax, 8, integers: true);

        // Y range: the finite values, padded by 8%.
        var values = shown.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        double yMin = values.Length > 0 ? values.Min() : 0, yMax = values.Length > 0 ? values.Max() : 1;
        if (yMax - yMin < 1e-12) { double d = Math.Abs(yMax) > 1e-9 ? Math.Abs(yMax) * 0.1 : 0.5; yMin -= d; yMax += d; }
        else { double pad = (yMax - yMin) * 0.08; yMin -= pad; yMax += pad; }
        var yTicks = Ticks(yMin, yMax, 6, integers: false);
        int yDecimals = Decimals(yTicks);
        var yTickLabels = yTicks.Select(v => v.ToString("F" + yDecimals, CultureInfo.InvariantCulture)).ToArray();

        float maxYLabel = yTickLabels.Select(l => tick.MeasureText(l)).DefaultIfEmpty(0).Max();
        var plot = new SKRect(
            area.Left + 10 + axisTitle.TextSize * 1.5f + maxYLabel + 10,
            area.Top + 12 + title.TextSize * 1.8f,
            area.Right - 20,
            area.Bottom - (8 + tick.TextSize * 1.4f + 8 + axisTitle.TextSize * 1.5f));
        if (plot.Width < 10 || plot.Height < 10) return;
        float X(double v) => plot.Left + (float)((v - xMin) / (xMax - xMin)) * plot.Width;
        float Y(double v) => plot.Bottom - (float)((v - yMin) / (yMax - yMin)) * plot.Height;

        // Grid, ticks and tick labels.
        using var gridLine = new SKPaint { Style = SKPaintStyle.Stroke, Color = GridLine, StrokeWidth = 1, IsAntialias = true };
        using var axisLine = new SKPaint { Style = SKPaintStyle.Stroke, Color = MutedInk, StrokeWidth = 1, IsAntialias = true };
        tick.TextAlign = SKTextAlign.Center;
        foreach (double v in xTicks)
        {
            float x = X(v);
            canvas.DrawLine(x, plot.Top, x, plot.Bottom, gridLine);
            canvas.DrawLine(x, plot.Bottom, x, plot.Bottom + 4, axisLine);
            canvas.DrawText(v.ToString("F0", CultureInfo.InvariantCulture), x, plot.Bottom + 8 + tick.TextSize, tick);
        }
        tick.TextAlign = SKTextAlign.Right;
        for (int i = 0; i < yTicks.Length; i++)
        {
            float y = Y(yTicks[i]);
            canvas.DrawLine(plot.Left, y, plot.Right, y, gridLine);
            canvas.DrawLine(plot.Left - 4, y, plot.Left, y, axisLine);
            DrawCentred(canvas, yTickLabels[i], plot.Left - 7, y, tick);
        }
        canvas.DrawRect(plot, axisLine);

        // The series: lines broken at missing values, a marker at every value.
        canvas.Save();
        canvas.ClipRect(plot);
        for (int s = 0; s < shown.Length; s++)
        {
            var color = SeriesColors[s % SeriesColors.Length];
            using var line = new SKPaint { Style = SKPaintStyle.Stroke, Color = color, StrokeWidth = 2, IsAntialias = true, StrokeJoin = SKStrokeJoin.Round };
            using var marker = new SKPaint { Style = SKPaintStyle.Fill, Color = color, IsAntialias = true };
            using var path = new SKPath();
            bool drawing = false;
            for (int i = 0; i < epochs.Length; i++)
            {
                double v = shown[s].Values[i];
                if (!double.IsFinite(v)) { drawing = false; continue; }
                if (drawing) path.LineTo(X(epochs[i]), Y(v));
                else path.MoveTo(X(epochs[i]), Y(v));
                drawing = true;
            }
            canvas.DrawPath(path, line);
            for (int i = 0; i < epochs.Length; i++)
                if (double.IsFinite(shown[s].Values[i]))
                    canvas.DrawCircle(X(epochs[i]), Y(shown[s].Values[i]), 3.5f, marker);
        }
        canvas.Restore();

        // Titles.
        title.TextAlign = SKTextAlign.Center;
        canvas.DrawText(titleText, plot.MidX, area.Top + 10 + title.TextSize, title);
        axisTitle.TextAlign = SKTextAlign.Center;
        canvas.DrawText("Epoch", plot.MidX, area.Bottom - 10, axisTitle);
        DrawVertical(canvas, yLabel, area.Left + 10 + axisTitle.TextSize, plot.MidY, axisTitle);

        // Legend in a corner of the plot.
        if (shown.Length == 0) return;
        using var legendText = TextPaint(12, Ink);
        float swatch = 22, inset = 8, rowHeight = legendText.TextSize * 1.6f;
        float legendWidth = inset + swatch + 6 + shown.Max(s => legendText.MeasureText(s.Name)) + inset;
        float legendHeight = inset + rowHeight * shown.Length + inset - (rowHeight - legendText.TextSize);
        float lx = plot.Right - 10 - legendWidth;
        float ly = legendAtTop ? plot.Top + 10 : plot.Bottom - 10 - legendHeight;
        var box = SKRect.Create(lx, ly, legendWidth, legendHeight);
        using (var boxFill = new SKPaint { Style = SKPaintStyle.Fill, Color = SKColors.White.WithAlpha(235) })
            canvas.DrawRect(box, boxFill);
        using (var boxLine = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(0xD1, 0xD5, 0xDB), StrokeWidth = 1, IsAntialias = true })
            canvas.DrawRect(box, boxLine);
        for (int s = 0; s < shown.Length; s++)
        {
            var color = SeriesColors[s % SeriesColors.Length];
            float cy = ly + inset + legendText.TextSize / 2 + rowHeight * s;
            using var line = new SKPaint { Style = SKPaintStyle.Stroke, Color = color, StrokeWidth = 2, IsAntialias = true };
            using var marker = new SKPaint { Style = SKPaintStyle.Fill, Color = color, IsAntialias = true };
            canvas.DrawLine(lx + inset, cy, lx + inset + swatch, cy, line);
            canvas.DrawCircle(lx + inset + swatch / 2, cy, 3.5f, marker);
            legendText.TextAlign = SKTextAlign.Left;
            DrawCentred(canvas, shown[s].Name, lx + inset + swatch + 6, cy, legendText);
        }
    }

    /// <summary>"Nice" tick values (1, 2 or 5 times a power of ten apart) inside [min, max].</summary>
    private static double[] Ticks(double min, double max, int target, bool integers)
    {
        double raw = (max - min) / Math.Max(target, 1);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = NiceSteps.Select(m => m * magnitude).First(s => s >= raw * 0.999);
        if (integers) step = Math.Max(1, Math.Ceiling(step));
        var ticks = new List<double>();
        for (double v = Math.Ceiling(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step)
            ticks.Add(Math.Abs(v) < step * 1e-9 ? 0 : v);
        return ticks.ToArray();
    }

    /// <summary>The decimals that tell the ticks apart.</summary>
    private static int Decimals(double[] ticks)
    {
        if (ticks.Length < 2) return 2;
        double step = ticks[1] - ticks[0];
        return Math.Clamp((int)Math.Ceiling(-Math.Log10(step) - 1e-9), 0, 6);
    }

    private static SKSurface NewSurface(int width, int height)
    {
        var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        return surface;
    }

    private static byte[] EncodePng(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the chart as PNG.");
        return data.ToArray();
    }

    private static SKPaint TextPaint(float size, SKColor color, bool bold = false) => new()
    {
        Typeface = bold ? BoldTypeface : Typeface,
        TextSize = size,
        Color = color,
        IsAntialias = true,
        SubpixelText = true,
        FakeBoldText = bold && ReferenceEquals(BoldTypeface, Typeface),
    };

    /// <summary>Draws one line of text vertically centred on <paramref name="y"/> (horizontal alignment from the paint).</summary>
    private static void DrawCentred(SKCanvas canvas, string text, float x, float y, SKPaint paint)
    {
        var metrics = paint.FontMetrics;
        canvas.DrawText(text, x, y - (metrics.Ascent + metrics.Descent) / 2, paint);
    }

    /// <summary>Draws text rotated a quarter turn anticlockwise, centred on (<paramref name="x"/>, <paramref name="y"/>) along its length.</summary>
    private static void DrawVertical(SKCanvas canvas, string text, float x, float y, SKPaint paint)
    {
        canvas.Save();
        canvas.Translate(x, y);
        canvas.RotateDegrees(-90);
        paint.TextAlign = SKTextAlign.Center;
        canvas.DrawText(text, 0, 0, paint);
        canvas.Restore();
    }

    /// <summary>
    /// DejaVu Sans when installed (Debian's default). The NoDependencies native build of SkiaSharp has
    /// no fontconfig, so the font files are looked for directly before asking the font manager.
    /// </summary>
    /// <summary>The typeface of the charts (DejaVu Sans when installed).</summary>
    internal static SKTypeface ChartTypeface => Typeface;

    private static SKTypeface Typeface { get; } = FindTypeface(
        ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/System/Library/Fonts/Supplemental/Arial.ttf", @"C:\Windows\Fonts\arial.ttf"],
        SKFontStyle.Normal) ?? SKTypeface.Default;

    /// <summary>The bold face of <see cref="Typeface"/>, or <see cref="Typeface"/> itself (drawn fake-bold) when there is none.</summary>
    private static SKTypeface BoldTypeface { get; } = FindTypeface(
        ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf", @"C:\Windows\Fonts\arialbd.ttf"],
        SKFontStyle.Bold) ?? Typeface;

    private static SKTypeface? FindTypeface(string[] files, SKFontStyle style)
    {
        foreach (string file in files)
        {
            if (!File.Exists(file)) continue;
            var typeface = SKTypeface.FromFile(file);
            if (typeface is not null) return typeface;
        }
        foreach (string family in new[] { "DejaVu Sans", "Arial", "Helvetica", "Liberation Sans", "sans-serif" })
        {
            var typeface = SKFontManager.Default.MatchFamily(family, style);
            if (typeface is not null && typeface.GlyphCount > 0) return typeface;
            typeface?.Dispose();
        }
        return null;
    }

    private static SKColor ToColor((byte R, byte G, byte B) c) => new(c.R, c.G, c.B);

    private static string Shorten(string name, int max) => name.Length <= max ? name : name[..(max - 1)] + "…";
}
