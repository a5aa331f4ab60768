using System.Text;

namespace MlNetMnist.Reports;

/// <summary>
/// The tables of a <see cref="MetricsReport"/> as CSV (RFC 4180: comma-separated, fields with commas,
/// quotes, line breaks or surrounding spaces quoted, quotes doubled; numbers in invariant culture, exact).
/// </summary>
public static class CsvReportWriter
{
    /// <summary>
    /// The confusion matrix counts: a header <c>true\predicted,&lt;class&gt;,...</c>, then one row per
    /// true class: its name and its counts.
    /// </summary>
    /// <param name="report">The report.</param>
    public static string ConfusionMatrix(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, ["true\\predicted", .. report.ClassNames]);
        for (int t = 0; t < report.ClassCount; t++)
            Line(csv, [report.ClassNames[t], .. report.ConfusionMatrix[t].Select(ReportFormat.Exact)]);
        return csv.ToString();
    }

    /// <summary>The per-class table: <c>class,support,correct,predicted,precision,recall,f1,log_loss</c>.</summary>
    /// <param name="report">The report.</param>
    public static string PerClass(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, ["class", "support", "correct", "predicted", "precision", "recall", "f1", "log_loss"]);
        foreach (var c in report.PerClass)
            Line(csv, [c.ClassName, .. new[] { c.Support, c.Correct, c.Predicted, c.Precision, c.Recall, c.F1, c.LogLoss }.Select(ReportFormat.Exact)]);
        return csv.ToString();
    }

    /// <summary>The confusions, most frequent first: <c>true,predicted,count,rate</c>.</summary>
    /// <param name="report">The report.</param>
    public static string Confusions(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, ["true", "predicted", "count", "rate"]);
        foreach (var c in report.TopConfusions)
            Line(csv, [c.TrueClass, c.PredictedClass, ReportFormat.Exact(c.Count), ReportFormat.Exact(c.Rate)]);
        return csv.ToString();
    }

    /// <summary>A CSV field: quoted when it holds a comma, quote, line break or leading/trailing space.</summary>
    /// <param name="value">The raw value.</param>
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])));
        return quote ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static void Line(StringBuilder csv, IEnumerable<string> fields) =>
        csv.Append(string.Join(',', fields.Select(Field))).Append("\r\n");
}
