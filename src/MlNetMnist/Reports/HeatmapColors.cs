using System.Globalization;

namespace MlNetMnist.Reports;

/// <summary>
/// The colours of a confusion-matrix cell, shared by the HTML table and the PNG: diagonal cells blue
/// by the class's recall; off-diagonal cells red by their rate relative to the largest confusion
/// (square-root scaled, so that small confusions still show); empty cells white.
/// </summary>
internal static class HeatmapColors
{
    private static readonly (byte R, byte G, byte B) BlueLow = (0xEF, 0xF3, 0xFF), BlueHigh = (0x08, 0x45, 0x94);
    private static readonly (byte R, byte G, byte B) RedLow = (0xFE, 0xE0, 0xD2), RedHigh = (0xA5, 0x0F, 0x15);

    /// <summary>The largest off-diagonal rate of <paramref name="report"/> (0 when there are no confusions).</summary>
    public static double MaxConfusionRate(MetricsReport report) => report.TopConfusions.Select(c => c.Rate).DefaultIfEmpty(0).Max();

    /// <summary>The background of a cell.</summary>
    /// <param name="diagonal">True for a correct-prediction cell.</param>
    /// <param name="count">The cell's count.</param>
    /// <param name="rate">The cell's row-normalised rate (0-1).</param>
    /// <param name="maxConfusionRate">The largest off-diagonal rate.</param>
    public static (byte R, byte G, byte B) Background(bool diagonal, double count, double rate, double maxConfusionRate)
    {
        if (count <= 0 || !double.IsFinite(rate)) return (0xFF, 0xFF, 0xFF);
        if (diagonal) return Mix(BlueLow, BlueHigh, Math.Clamp(rate, 0, 1));
        double t = maxConfusionRate > 0 ? Math.Sqrt(Math.Clamp(rate / maxConfusionRate, 0, 1)) : 0;
        return Mix(RedLow, RedHigh, t);
    }

    /// <summary>White or near-black, whichever reads better on <paramref name="background"/>.</summary>
    public static (byte R, byte G, byte B) Foreground((byte R, byte G, byte B) background)
    {
        double luminance = (0.2126 * background.R + 0.7152 * background.G + 0.0722 * background.B) / 255;
        return luminance < 0.55 ? ((byte)0xFF, (byte)0xFF, (byte)0xFF) : ((byte)0x1F, (byte)0x29, (byte)0x37);
    }

    /// <summary><c>#rrggbb</c>.</summary>
    public static string Css((byte R, byte G, byte B) color) =>
        string.Create(CultureInfo.InvariantCulture, $"#{color.R:x2}{color.G:x2}{color.B:x2}");

    private static (byte R, byte G, byte B) Mix((byte R, byte G, byte B) low, (byte R, byte G, byte B) high, double t) =>
        ((byte)Math.Round(low.R + (high.R - low.R) * t),
         (byte)Math.Round(low.G + (high.G - low.G) * t),
         (byte)Math.Round(low.B + (high.B - low.B) * t));
}
