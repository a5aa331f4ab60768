using System.Globalization;
using System.Text;

namespace MlNetMnist.Reports;

/// <summary>
/// Renders a <see cref="MetricsReport"/> as Markdown (GitHub-flavoured tables): summary, confusion
/// matrix, per-class metrics, most frequent confusions, training epochs and metadata. Class names and
/// values are escaped so that they show as text, never as Markdown or HTML.
/// </summary>
public static class MarkdownReportWriter
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>The report as Markdown.</summary>
    /// <param name="report">The report.</param>
    /// <param name="confusionMatrixImage">Relative path of the heatmap PNG to show, or null for none.</param>
    /// <param name="trainingCurvesImage">Relative path of the training-curves PNG to show, or null for none.</param>
    public static string ToMarkdown(MetricsReport report, string? confusionMatrixImage = null, string? trainingCurvesImage = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var metadata = report.Metadata;
        md.Append("# ").AppendLine(Escape(metadata?.Title ?? "Classification report")).AppendLine();
        if (metadata is not null)
            md.AppendLine(Escape($"Created {metadata.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", Ci)} by MlNetMnist {metadata.LibraryVersion}.")).AppendLine();

        md.AppendLine("## Summary").AppendLine();
        var summary = new List<string[]>
        {
            new[] { "Accuracy (micro)", ReportFormat.Percent(report.MicroAccuracy) },
            new[] { "Macro accuracy", ReportFormat.Percent(report.MacroAccuracy) },
            new[] { "Log loss", ReportFormat.Number(report.LogLoss, "F4") },
            new[] { "Log-loss reduction", ReportFormat.Number(report.LogLossReduction, "F4") },
        };
        if (report.TopKPredictionCount > 0)
            summary.Add([$"Top-{report.TopKPredictionCount.ToString(Ci)} accuracy", ReportFormat.Percent(report.TopKAccuracy)]);
        summary.Add(["Rows", ReportFormat.Count(report.TotalCount)]);
        summary.Add(["Errors", ReportFormat.Count(report.ErrorCount)]);
        Table(md, ["Metric", "Value"], summary, rightAligned: 1);

        md.AppendLine("## Confusion matrix").AppendLine();
        if (confusionMatrixImage is not null) md.Append("![Confusion matrix](").Append(LinkTarget(confusionMatrixImage)).AppendLine(")").AppendLine();
        md.AppendLine("Rows are the true classes, columns the predicted ones.").AppendLine();
        Table(md, ["true \\ predicted", .. report.ClassNames],
            report.ClassNames.Select((name, t) => (string[])[name, .. report.ConfusionMatrix[t].Select(ReportFormat.Count)]).ToList(),
            rightAligned: report.ClassCount);

        md.AppendLine("## Per-class metrics").AppendLine();
        Table(md, ["Class", "Rows", "Correct", "Predicted", "Precision", "Recall", "F1", "Log loss"],
            report.PerClass.Select(c => new[]
            {
                c.ClassName, ReportFormat.Count(c.Support), ReportFormat.Count(c.Correct), ReportFormat.Count(c.Predicted),
                ReportFormat.Number(c.Precision, "F4"), ReportFormat.Number(c.Recall, "F4"), ReportFormat.Number(c.F1, "F4"), ReportFormat.Number(c.LogLoss, "F4"),
            }).ToList(), rightAligned: 7);

        md.AppendLine("## Most frequent confusions").AppendLine();
        if (report.TopConfusions.Count == 0)
            md.AppendLine("None: every row was predicted right.").AppendLine();
        else
            Table(md, ["True class", "Predicted class", "Rows", "Share of the true class"],
                report.TopConfusions.Take(HtmlReportWriter.DisplayedConfusions)
                    .Select(c => new[] { c.TrueClass, c.PredictedClass, ReportFormat.Count(c.Count), ReportFormat.Percent(c.Rate, 1) }).ToList(),
                rightAligned: 2);

        if (report.OutOfDistribution is { } ood)
        {
            md.AppendLine("## Out-of-distribution score").AppendLine();
            bool withNonDigits = ood.NonDigitRows > 0;
            md.AppendLine(Escape(withNonDigits
                ? string.Format(Ci, "A row is flagged when the score is above the threshold (0 is the calibrated one). Digits: the {0:N0} evaluated rows; non-digits: {1}. The last column is what the plain top probability catches when it flags as many digits.",
                    ood.DigitRows, ood.NonDigitDescription ?? ood.NonDigitRows.ToString("N0", Ci) + " images known not to be digits")
                : string.Format(Ci, "A row is flagged when the score is above the threshold (0 is the calibrated one). Rows: the {0:N0} evaluated rows; no images known to be out of distribution were given.", ood.DigitRows))).AppendLine();
            Table(md, withNonDigits ? ["Score threshold", "Digits flagged", "Non-digits caught", "Top probability below", "Its catch"] : ["Score threshold", "Rows flagged"],
                ood.Points.Select(p => withNonDigits
                    ? new[] { p.Threshold.ToString("0.00", Ci) + (p.Threshold == 0 ? " (calibrated)" : ""), ReportFormat.Percent(p.DigitsFlagged), ReportFormat.Percent(p.NonDigitsCaught ?? 0, 1), p.TopProbabilityThreshold.ToString("0.0000", Ci), ReportFormat.Percent(p.TopProbabilityCatch ?? 0, 1) }
                    : new[] { p.Threshold.ToString("0.00", Ci) + (p.Threshold == 0 ? " (calibrated)" : ""), ReportFormat.Percent(p.DigitsFlagged) }).ToList(),
                rightAligned: withNonDigits ? 4 : 1);
        }

        if (report.Training is { Epochs.Count: > 0 } training)
        {
            md.AppendLine("## Training").AppendLine();
            if (trainingCurvesImage is not null) md.Append("![Training curves](").Append(LinkTarget(trainingCurvesImage)).AppendLine(")").AppendLine();
            var warnings = training.AllWarnings();
            if (warnings.Count > 0)
            {
                md.AppendLine("Warnings:").AppendLine();
                foreach (var warning in warnings) md.Append("- ").AppendLine(Escape(warning));
                md.AppendLine();
            }
            Table(md, ["Epoch", "Loss", "Accuracy", "Validation loss", "Validation accuracy", "Learning rate", "Time (s)"],
                training.Epochs.Select(e => new[]
                {
                    e.Epoch.ToString(Ci), ReportFormat.Number(e.TrainLoss, "F4"), ReportFormat.Percent(e.TrainAccuracy),
                    e.ValidationLoss is double vl ? ReportFormat.Number(vl, "F4") : "", e.ValidationAccuracy is double va ? ReportFormat.Percent(va) : "",
                    e.LearningRate.ToString("G3", Ci), e.EpochTime.TotalSeconds.ToString("F1", Ci),
                }).ToList(), rightAligned: 7);
        }

        if (metadata is not null)
        {
            foreach (var (heading, entries) in new[] { ("Model", metadata.Model), ("Data", metadata.Data) })
            {
                if (entries.Count == 0) continue;
                md.Append("## ").AppendLine(heading).AppendLine();
                Table(md, ["Name", "Value"], entries.Select(e => new[] { e.Name, e.Value }).ToList(), rightAligned: 0);
            }
        }
        return md.ToString();
    }

    /// <summary>Writes <see cref="ToMarkdown"/> to <paramref name="path"/> atomically (UTF-8).</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The Markdown file.</param>
    /// <param name="confusionMatrixImage">Relative path of the heatmap PNG, or null.</param>
    /// <param name="trainingCurvesImage">Relative path of the training-curves PNG, or null.</param>
    public static void Write(MetricsReport report, string path, string? confusionMatrixImage = null, string? trainingCurvesImage = null) =>
        AtomicFile.WriteAllText(path, ToMarkdown(report, confusionMatrixImage, trainingCurvesImage));

    /// <summary>
    /// Escapes text for a Markdown table cell or heading: backslash-escapes the characters that start
    /// emphasis, code, links or strike-through, and the <c>|</c> that would end the cell; writes <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> as entities so that
    /// no HTML is interpreted, and turns line breaks into spaces.
    /// </summary>
    /// <param name="text">The text.</param>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\r' or '\n': sb.Append(' '); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~':
                    sb.Append('\\').Append(c);
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static string LinkTarget(string path) => Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal);

    private static void Table(StringBuilder md, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, int rightAligned)
    {
        md.Append('|');
        foreach (var h in header) md.Append(' ').Append(Escape(h)).Append(" |");
        md.AppendLine().Append('|');
        for (int i = 0; i < header.Count; i++) md.Append(i >= header.Count - rightAligned ? " ---: |" : " --- |");
        md.AppendLine();
        foreach (var row in rows)
        {
            md.Append('|');
            foreach (var cell in row) md.Append(' ').Append(Escape(cell)).Append(" |");
            md.AppendLine();
        }
        md.AppendLine();
    }
}
