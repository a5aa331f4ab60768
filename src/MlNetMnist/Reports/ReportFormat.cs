using System.Globalization;

namespace MlNetMnist.Reports;

/// <summary>Invariant-culture number formats shared by the report writers.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary><c>99.12%</c> for 0.9912 with two decimals; non-finite values as they are.</summary>
    public static string Percent(double fraction, int decimals = 2) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("F" + decimals.ToString(Ci), Ci) + "%" : fraction.ToString(Ci);

    /// <summary>A count with thousands separators (<c>1,234</c>), one decimal when it is not whole (weighted evaluations).</summary>
    public static string Count(double value) =>
        !double.IsFinite(value) ? value.ToString(Ci) : value == Math.Floor(value) ? value.ToString("N0", Ci) : value.ToString("N1", Ci);

    /// <summary>A number in a standard format (<c>F4</c>, <c>G3</c>...); non-finite values as they are.</summary>
    public static string Number(double value, string format) => double.IsFinite(value) ? value.ToString(format, Ci) : value.ToString(Ci);

    /// <summary>A value that reads back exactly (round-trip), for CSV.</summary>
    public static string Exact(double value) => value.ToString("R", Ci);
}
