namespace MlNetMnist.Reports;

/// <summary>Writes a report in every format into a folder.</summary>
public static class ReportWriter
{
    /// <summary>File name of the HTML report.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>File name of the Markdown report.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>File name of the JSON report.</summary>
    public const string JsonFileName = "report.json";

    /// <summary>File name of the confusion-matrix CSV.</summary>
    public const string ConfusionMatrixCsvFileName = "confusion-matrix.csv";

    /// <summary>File name of the per-class CSV.</summary>
    public const string PerClassCsvFileName = "per-class.csv";

    /// <summary>File name of the confusions CSV.</summary>
    public const string ConfusionsCsvFileName = "confusions.csv";

    /// <summary>File name of the heatmap PNG.</summary>
    public const string ConfusionMatrixPngFileName = "confusion-matrix.png";

    /// <summary>File name of the training-curves PNG.</summary>
    public const string TrainingCurvesPngFileName = "training-curves.png";

    /// <summary>
    /// Writes <c>report.html</c> (self-contained), <c>report.md</c>, <c>report.json</c>,
    /// <c>confusion-matrix.csv</c>, <c>per-class.csv</c>, <c>confusions.csv</c>,
    /// <c>confusion-matrix.png</c> and, when the report has a training history,
    /// <c>training-curves.png</c> into <paramref name="directory"/> (created if needed). Each file is
    /// written atomically; other files in the folder are left alone.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="directory">The output folder.</param>
    /// <returns>The full paths of the files written.</returns>
    /// <exception cref="IOException"><paramref name="directory"/> is an existing file.</exception>
    public static ReportFiles WriteAll(MetricsReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string dir = Path.GetFullPath(directory);
        if (File.Exists(dir)) throw new IOException($"{dir}: is a file; expected a folder for the report.");
        Directory.CreateDirectory(dir);
        string In(string name) => Path.Combine(dir, name);

        byte[] heatmap = ReportCharts.ConfusionMatrixPng(report);
        byte[]? curves = report.Training is { Epochs.Count: > 0 } training ? ReportCharts.TrainingCurvesPng(training) : null;

        var files = new ReportFiles(
            Html: In(HtmlFileName),
            Markdown: In(MarkdownFileName),
            Json: In(JsonFileName),
            ConfusionMatrixCsv: In(ConfusionMatrixCsvFileName),
            PerClassCsv: In(PerClassCsvFileName),
            ConfusionsCsv: In(ConfusionsCsvFileName),
            ConfusionMatrixPng: In(ConfusionMatrixPngFileName),
            TrainingCurvesPng: curves is null ? null : In(TrainingCurvesPngFileName));

        AtomicFile.Write(files.ConfusionMatrixPng, stream => stream.Write(heatmap));
        if (curves is not null) AtomicFile.Write(files.TrainingCurvesPng!, stream => stream.Write(curves));
        AtomicFile.WriteAllText(files.ConfusionMatrixCsv, CsvReportWriter.ConfusionMatrix(report));
        AtomicFile.WriteAllText(files.PerClassCsv, CsvReportWriter.PerClass(report));
        AtomicFile.WriteAllText(files.ConfusionsCsv, CsvReportWriter.Confusions(report));
        report.WriteJson(files.Json);
        MarkdownReportWriter.Write(report, files.Markdown, ConfusionMatrixPngFileName, curves is null ? null : TrainingCurvesPngFileName);
        HtmlReportWriter.Write(report, files.Html, curves);
        return files;
    }
}
