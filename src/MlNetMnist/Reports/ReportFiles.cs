namespace MlNetMnist.Reports;

/// <summary>The files <see cref="ReportWriter.WriteAll"/> wrote (full paths).</summary>
/// <param name="Html">The self-contained HTML report.</param>
/// <param name="Markdown">The Markdown report.</param>
/// <param name="Json">The whole report as JSON (<see cref="MetricsReport.ToJson"/>).</param>
/// <param name="ConfusionMatrixCsv">The confusion matrix counts as CSV.</param>
/// <param name="PerClassCsv">The per-class metrics as CSV.</param>
/// <param name="ConfusionsCsv">The confusions, most frequent first, as CSV.</param>
/// <param name="ConfusionMatrixPng">The heatmap as PNG.</param>
/// <param name="TrainingCurvesPng">The training curves as PNG; null when the report has no training history.</param>
public sealed record ReportFiles(
    string Html,
    string Markdown,
    string Json,
    string ConfusionMatrixCsv,
    string PerClassCsv,
    string ConfusionsCsv,
    string ConfusionMatrixPng,
    string? TrainingCurvesPng)
{
    /// <summary>All the files, the HTML first.</summary>
    public IEnumerable<string> All =>
        new[] { Html, Markdown, Json, ConfusionMatrixCsv, PerClassCsv, ConfusionsCsv, ConfusionMatrixPng, TrainingCurvesPng }.OfType<string>();

    // The record's printed form lists the files, not the type of the sequence <see cref="All"/> is.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.AppendJoin(", ", All);
        return true;
    }
}
