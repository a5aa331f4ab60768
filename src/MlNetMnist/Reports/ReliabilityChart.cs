using System.Globalization;
using MlNetMnist.Calibration;
using SkiaSharp;

namespace MlNetMnist.Reports;

/// <summary>Draws the reliability diagram of a <see cref="CalibrationReport"/> with SkiaSharp (no charting library).</summary>
internal static class ReliabilityChart
{
    private static readonly SKColor Ink = new(0x1F, 0x29, 0x37);
    private static readonly SKColor Grid = new(0xE5, 0xE7, 0xEB);
    private static readonly SKColor Bar = new(0x1F, 0x77, 0xB4);
    private static readonly SKColor Gap = new(0xD6, 0x27, 0x28, 0x90);

    /// <summary>
    /// A PNG of the reliability diagram: per confidence bin, the accuracy (bars) against the diagonal of
    /// perfect calibration, the gap to the mean confidence shaded, and the number of rows in each bin.
    /// </summary>
    /// <param name="calibration">The bins.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static byte[] Png(CalibrationReport calibration, int width = 520, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var area = new SKRect(70, 40, width - 20, height - 60);
        using var text = new SKPaint { Color = Ink, TextSize = 14, IsAntialias = true, Typeface = ReportCharts.ChartTypeface };
        using var small = new SKPaint { Color = Ink, TextSize = 11, IsAntialias = true, Typeface = ReportCharts.ChartTypeface, TextAlign = SKTextAlign.Center };
        using var line = new SKPaint { Color = Grid, StrokeWidth = 1, IsAntialias = true, Style = SKPaintStyle.Stroke };
        using var diagonal = new SKPaint { Color = Ink, StrokeWidth = 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke, PathEffect = SKPathEffect.CreateDash([6, 4], 0) };
        using var bar = new SKPaint { Color = Bar, IsAntialias = true };
        using var gap = new SKPaint { Color = Gap, IsAntialias = true };
        var ci = CultureInfo.InvariantCulture;

        float X(double v) => area.Left + (float)v * area.Width;
        float Y(double v) => area.Bottom - (float)v * area.Height;
        for (int i = 0; i <= 5; i++)
        {
            double v = i / 5.0;
            canvas.DrawLine(area.Left, Y(v), area.Right, Y(v), line);
            canvas.DrawText(v.ToString("0.0", ci), area.Left - 36, Y(v) + 5, text);
            canvas.DrawText(v.ToString("0.0", ci), X(v) - 10, area.Bottom + 20, text);
        }
        foreach (var b in calibration.Bins)
        {
            if (b.Count == 0) continue;
            float left = X(b.Lower) + 1, right = X(b.Upper) - 1;
            canvas.DrawRect(new SKRect(left, Y(b.Accuracy), right, area.Bottom), bar);
            canvas.DrawRect(new SKRect(left, Y(Math.Max(b.Accuracy, b.Confidence)), right, Y(Math.Min(b.Accuracy, b.Confidence))), gap);
            canvas.DrawText(b.Count.ToString("N0", ci), (left + right) / 2, Y(Math.Max(b.Accuracy, b.Confidence)) - 4, small);
        }
        canvas.DrawLine(X(0), Y(0), X(1), Y(1), diagonal);
        canvas.DrawRect(area, line);
        string title = string.Format(ci, "Reliability: expected calibration error {0:P2}", calibration.ExpectedCalibrationError);
        canvas.DrawText(title, area.Left, 25, text);
        canvas.DrawText("confidence (top probability)", area.MidX - 90, height - 20, text);
        canvas.Save();
        canvas.Translate(18, area.MidY + 30);
        canvas.RotateDegrees(-90);
        canvas.DrawText("accuracy", 0, 0, text);
        canvas.Restore();
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the chart as PNG.");
        return data.ToArray();
    }
}
