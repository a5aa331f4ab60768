using System.Globalization;
using System.Net;
using System.Text;

namespace MlNetMnist.Reports;

/// <summary>
/// Renders a <see cref="MetricsReport"/> as one self-contained HTML page: no scripts, no external
/// files or fonts (a Content-Security-Policy forbids loading any), images embedded as <c>data:</c>
/// URIs, so the file opens offline and can be mailed or archived as it is. Every class name and
/// metadata value is HTML-escaped.
/// </summary>
/// <remarks>
/// The page has, with these element ids: <c>summary</c> (accuracies, log loss), <c>confusion-heatmap</c>
/// (the confusion matrix as a coloured table with counts), <c>per-class-table</c>, <c>top-confusions</c>
/// (each with thumbnails of its misclassified images, class <c>misclassified-thumb</c>),
/// <c>misclassified</c> (the most confident errors), <c>training</c> (curves and epoch table, when the
/// report has a training history), <c>samples</c> (a grid of labelled images) and <c>metadata</c>.
/// </remarks>
public static class HtmlReportWriter
{
    /// <summary>Confusions listed with their thumbnails.</summary>
    public const int DisplayedConfusions = 10;

    /// <summary>Most-confident errors shown in the gallery.</summary>
    public const int DisplayedErrors = 48;

    /// <summary>Largest side of a thumbnail on the page, in CSS pixels.</summary>
    public const int ThumbnailSize = 56;

    /// <summary>The report as an HTML document.</summary>
    /// <param name="report">The report (from <see cref="MetricsReport.Evaluate(Microsoft.ML.MLContext, Microsoft.ML.ITransformer, Microsoft.ML.IDataView, ReportOptions?)"/> for images and curves).</param>
    /// <param name="trainingCurvesPng">The training-curves PNG to embed; null draws it with <see cref="ReportCharts.TrainingCurvesPng"/> when the report has a training history.</param>
    public static string ToHtml(MetricsReport report, byte[]? trainingCurvesPng = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new Page(report);
        return page.Render(trainingCurvesPng ?? (report.Training is { Epochs.Count: > 0 } t ? ReportCharts.TrainingCurvesPng(t) : null));
    }

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> atomically (UTF-8).</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The HTML file.</param>
    /// <param name="trainingCurvesPng">The training-curves PNG to embed, or null to draw it.</param>
    public static void Write(MetricsReport report, string path, byte[]? trainingCurvesPng = null) =>
        AtomicFile.WriteAllText(path, ToHtml(report, trainingCurvesPng));

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    internal static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>One rendering of a report; remembers each image's data URI so that it is encoded once.</summary>
    private sealed class Page(MetricsReport report)
    {
        private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
        private readonly StringBuilder _html = new(1 << 16);
        private readonly Dictionary<long, string> _errorImages = new();

        public string Render(byte[]? trainingCurvesPng)
        {
            var metadata = report.Metadata;
            string title = metadata?.Title ?? "Classification report";
            _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n")
                .Append("<meta name=\"generator\" content=\"MlNetMnist ").Append(E(metadata?.LibraryVersion ?? ReportMetadata.CurrentLibraryVersion)).Append("\">\n")
                .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(HtmlReportStyle.Css).Append("</style>\n</head>\n<body>\n");
            Header(title, metadata);
            Summary();
            _html.Append("<div class=\"two-columns\">\n");
            Heatmap();
            PerClass();
            _html.Append("</div>\n");
            TopConfusions();
            Gallery();
            Calibration();
            OutOfDistribution();
            Training(trainingCurvesPng);
            Samples();
            Metadata(metadata);
            _html.Append("<footer>Made by MlNetMnist ").Append(E(metadata?.LibraryVersion ?? ReportMetadata.CurrentLibraryVersion))
                .Append(". Numbers are ML.NET's <code>MulticlassClassificationMetrics</code>.</footer>\n</body>\n</html>\n");
            return _html.ToString();
        }

        private void Header(string title, ReportMetadata? metadata)
        {
            _html.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n<p class=\"subtitle\">")
                .Append(E($"{Number(report.TotalCount, "N0")} rows, {report.ClassCount.ToString(Ci)} classes"));
            if (metadata is not null)
                _html.Append(" &middot; created ").Append(E(metadata.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", Ci)));
            _html.Append("</p>\n</header>\n");
        }

        private void Summary()
        {
            _html.Append("<section id=\"summary\" class=\"cards\">\n");
            Card("Accuracy", Percent(report.MicroAccuracy), "micro: correct rows / all rows", main: true);
            Card("Macro accuracy", Percent(report.MacroAccuracy), "mean of the per-class recalls");
            Card("Log loss", Number(report.LogLoss, "F4"), "lower is better");
            Card("Log-loss reduction", Number(report.LogLossReduction, "F4"), "1 is perfect, 0 is the priors");
            if (report.TopKPredictionCount > 0)
                Card($"Top-{report.TopKPredictionCount} accuracy", Percent(report.TopKAccuracy), "true class among the highest scores");
            Card("Errors", Number(report.ErrorCount, "N0"), $"of {Number(report.TotalCount, "N0")} rows");
            _html.Append("</section>\n");
        }

        private void Card(string name, string value, string note, bool main = false) =>
            _html.Append("<div class=\"card").Append(main ? " main" : "").Append("\"><div class=\"value\">").Append(E(value))
                .Append("</div><div class=\"name\">").Append(E(name)).Append("</div><div class=\"note\">").Append(E(note)).Append("</div></div>\n");

        private void Heatmap()
        {
            int k = report.ClassCount;
            var rates = report.ConfusionRates;
            double maxConfusion = HeatmapColors.MaxConfusionRate(report);
            _html.Append("<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n")
                .Append("<p class=\"hint\">Rows are the true classes, columns the predicted ones; each cell counts the rows. ")
                .Append("<span class=\"swatch blue\"></span>Blue: predicted right, darker for a higher recall. ")
                .Append("<span class=\"swatch red\"></span>Red: confused, darker for a larger share of the true class")
                .Append(maxConfusion > 0 ? E($" (the darkest is {Percent(maxConfusion, 1)})") : "")
                .Append(". Hover a cell for its rate.</p>\n")
                .Append("<div class=\"scroll\"><table id=\"confusion-heatmap\" class=\"heatmap").Append(k > 20 ? " dense" : "").Append("\">\n<thead><tr><th class=\"corner\">true \\ predicted</th>");
            foreach (var name in report.ClassNames)
                _html.Append("<th scope=\"col\" title=\"").Append(E(name)).Append("\">").Append(E(name)).Append("</th>");
            _html.Append("<th scope=\"col\" class=\"total\">rows</th></tr></thead>\n<tbody>\n");
            for (int t = 0; t < k; t++)
            {
                _html.Append("<tr><th scope=\"row\" title=\"").Append(E(report.ClassNames[t])).Append("\">").Append(E(report.ClassNames[t])).Append("</th>");
                for (int p = 0; p < k; p++)
                {
                    double count = report.ConfusionMatrix[t][p];
                    var background = HeatmapColors.Background(t == p, count, rates[t][p], maxConfusion);
                    string tip = $"true {report.ClassNames[t]}, predicted {report.ClassNames[p]}: {Number(count, "N0")} ({Percent(rates[t][p], 1)} of {report.ClassNames[t]})";
                    _html.Append("<td class=\"cell").Append(t == p ? " diagonal" : count > 0 ? " confused" : "").Append("\" style=\"background:")
                        .Append(HeatmapColors.Css(background)).Append(";color:").Append(HeatmapColors.Css(HeatmapColors.Foreground(background)))
                        .Append("\" title=\"").Append(E(tip)).Append("\">").Append(count > 0 ? E(Number(count, "N0")) : "")
                        .Append("</td>");
                }
                _html.Append("<td class=\"total\">").Append(E(Number(report.PerClass[t].Support, "N0"))).Append("</td></tr>\n");
            }
            _html.Append("</tbody>\n</table></div>\n</section>\n");
        }

        private void PerClass()
        {
            _html.Append("<section id=\"per-class\">\n<h2>Per-class metrics</h2>\n")
                .Append("<p class=\"hint\">Precision: of the rows predicted as the class, the share that are. Recall: of the rows of the class, the share found. F1: their harmonic mean.</p>\n")
                .Append("<div class=\"scroll\"><table id=\"per-class-table\" class=\"metrics\">\n<thead><tr><th scope=\"col\">Class</th><th scope=\"col\">Rows</th><th scope=\"col\">Correct</th>")
                .Append("<th scope=\"col\">Predicted</th><th scope=\"col\">Precision</th><th scope=\"col\">Recall</th><th scope=\"col\">F1</th><th scope=\"col\">Log loss</th></tr></thead>\n<tbody>\n");
            foreach (var c in report.PerClass)
            {
                _html.Append("<tr><th scope=\"row\">").Append(E(c.ClassName)).Append("</th><td>").Append(E(Number(c.Support, "N0")))
                    .Append("</td><td>").Append(E(Number(c.Correct, "N0"))).Append("</td><td>").Append(E(Number(c.Predicted, "N0"))).Append("</td>");
                Bar(c.Precision);
                Bar(c.Recall);
                Bar(c.F1);
                _html.Append("<td>").Append(E(Number(c.LogLoss, "F4"))).Append("</td></tr>\n");
            }
            _html.Append("</tbody>\n</table></div>\n</section>\n");
        }

        private void Bar(double value)
        {
            double width = double.IsFinite(value) ? Math.Clamp(value, 0, 1) * 100 : 0;
            _html.Append("<td class=\"bar\" style=\"--v:").Append(width.ToString("F1", Ci)).Append("%\">").Append(E(Number(value, "F4"))).Append("</td>");
        }

        private void TopConfusions()
        {
            _html.Append("<section id=\"top-confusions\">\n<h2>Most frequent confusions</h2>\n");
            if (report.TopConfusions.Count == 0)
            {
                _html.Append("<p>No confusions: every row was predicted right.</p>\n</section>\n");
                return;
            }
            _html.Append("<p class=\"hint\">Which class is taken for which, most frequent first, with the misclassified images the model was most sure of (caption: its confidence in the wrong class).</p>\n<div class=\"confusions\">\n");
            foreach (var confusion in report.TopConfusions.Take(DisplayedConfusions))
            {
                _html.Append("<div class=\"confusion\">\n<h3><span class=\"label true\">").Append(E(confusion.TrueClass)).Append("</span> <span class=\"arrow\">&rarr;</span> <span class=\"label predicted\">")
                    .Append(E(confusion.PredictedClass)).Append("</span></h3>\n<p class=\"count\">")
                    .Append(E($"{Rows(confusion.Count)}, {Percent(confusion.Rate, 1)} of {confusion.TrueClass}")).Append("</p>\n<div class=\"thumbs\">");
                var examples = report.Misclassified.Where(e => e.TrueIndex == confusion.TrueIndex && e.PredictedIndex == confusion.PredictedIndex).ToList();
                foreach (var example in examples)
                    ErrorThumb(example, Percent(example.Confidence, 0));
                if (examples.Count == 0) _html.Append("<span class=\"none\">no images kept</span>");
                _html.Append("</div>\n</div>\n");
            }
            _html.Append("</div>\n</section>\n");
        }

        private void Gallery()
        {
            if (report.Misclassified.Count == 0) return;
            _html.Append("<section id=\"misclassified\">\n<h2>Most confident mistakes</h2>\n<p class=\"hint\">Caption: true class &rarr; predicted class, and the confidence in the prediction.</p>\n<div class=\"thumbs gallery\">");
            foreach (var example in report.Misclassified.Take(DisplayedErrors))
                ErrorThumb(example, $"{example.TrueLabel} \u2192 {example.PredictedLabel} {Percent(example.Confidence, 0)}");
            _html.Append("</div>\n</section>\n");
        }

        private void ErrorThumb(MisclassifiedExample example, string caption)
        {
            string alt = $"row {example.Row.ToString(Ci)}: true {example.TrueLabel}, predicted {example.PredictedLabel} with confidence {Percent(example.Confidence, 1)}";
            _html.Append("<figure class=\"thumb\">");
            if (report.ImageShape is { } shape && example.Pixels.Length == shape.Size)
            {
                if (!_errorImages.TryGetValue(example.Row, out var uri))
                    _errorImages[example.Row] = uri = ReportImages.ToDataUri(example.Pixels, shape);
                Image("misclassified-thumb", uri, shape, alt);
            }
            else
            {
                _html.Append("<span class=\"no-image\" title=\"").Append(E(alt)).Append("\">?</span>");
            }
            _html.Append("<figcaption>").Append(E(caption)).Append("</figcaption></figure>");
        }

        private void Image(string cssClass, string dataUri, ImageShape shape, string alt)
        {
            double scale = (double)ThumbnailSize / Math.Max(shape.Width, shape.Height);
            _html.Append("<img class=\"").Append(cssClass).Append("\" src=\"").Append(dataUri)
                .Append("\" width=\"").Append(Math.Max(1, (int)Math.Round(shape.Width * scale)).ToString(Ci))
                .Append("\" height=\"").Append(Math.Max(1, (int)Math.Round(shape.Height * scale)).ToString(Ci))
                .Append("\" alt=\"").Append(E(alt)).Append("\" title=\"").Append(E(alt)).Append("\">");
        }

        private void Calibration()
        {
            if (report.Calibration is not { } c) return;
            _html.Append("<section id=\"calibration\">\n<h2>Calibration</h2>\n<p class=\"hint\">Do the probabilities mean what they say? Rows are binned by their top probability; in a well calibrated model each bin's accuracy equals its mean confidence (the diagonal). The expected calibration error is the row-weighted mean gap.</p>\n<div class=\"cards\">\n");
            Card("Expected calibration error", Percent(c.ExpectedCalibrationError), $"{c.Bins.Count} equal-width bins", main: true);
            if (c.Temperature is double t)
                Card("Temperature", t.ToString("0.###", Ci), "logits are divided by it before the softmax (fitted on validation rows)");
            if (c.ExpectedCalibrationErrorBeforeScaling is double before)
                Card("Before temperature scaling", Percent(before), "the same model with temperature 1");
            _html.Append("</div>\n<img id=\"reliability-diagram\" class=\"chart\" src=\"").Append(ReportImages.PngDataUri(ReliabilityChart.Png(c)))
                .Append("\" alt=\"Reliability diagram: accuracy against confidence per bin\">\n</section>\n");
        }

        private void OutOfDistribution()
        {
            if (report.OutOfDistribution is not { } ood) return;
            bool withNonDigits = ood.NonDigitRows > 0;
            _html.Append("<section id=\"out-of-distribution\">\n<h2>Out-of-distribution score</h2>\n<p class=\"hint\">")
                .Append(E((withNonDigits
                        ? "Inputs that are not a digit should be flagged for review rather than answered. The model's out-of-distribution score flags a row when it is above the threshold (0 is the calibrated one); raising the threshold flags fewer digits and catches fewer non-digits. "
                        : "Inputs unlike the training images (for a digit model: anything that is not a digit) should be flagged for review rather than answered. The model's out-of-distribution score flags a row when it is above the threshold (0 is the calibrated one); raising the threshold flags fewer rows. ")
                    + (withNonDigits
                        ? string.Format(Ci, "Digits: the {0:N0} evaluated rows; non-digits: {1}. The last column is what the plain top probability catches when it flags as many digits.", ood.DigitRows, ood.NonDigitDescription ?? Number(ood.NonDigitRows, "N0") + " images known not to be digits")
                        : string.Format(Ci, "Rows: the {0:N0} evaluated rows (no images known to be out of distribution were given).", ood.DigitRows))))
                .Append("</p>\n<div class=\"cards\">\n");
            if (ood.Calibrated is { } calibrated)
            {
                Card(withNonDigits ? "Digits flagged" : "Rows flagged", Percent(calibrated.DigitsFlagged), "at the calibrated threshold", main: !withNonDigits);
                if (calibrated.NonDigitsCaught is double caught) Card("Non-digits caught", Percent(caught, 1), "at the calibrated threshold", main: true);
                if (calibrated.TopProbabilityCatch is double top) Card("Top probability catches", Percent(top, 1), "at the same rate of flagged digits");
            }
            _html.Append("</div>\n<div class=\"scroll\"><table id=\"out-of-distribution-table\" class=\"metrics\">\n<thead><tr><th scope=\"col\">Score threshold</th><th scope=\"col\">").Append(withNonDigits ? "Digits flagged" : "Rows flagged").Append("</th>");
            if (withNonDigits) _html.Append("<th scope=\"col\">Non-digits caught</th><th scope=\"col\">Top probability below</th><th scope=\"col\">Its catch</th>");
            _html.Append("</tr></thead>\n<tbody>\n");
            foreach (var p in ood.Points)
            {
                _html.Append(p.Threshold == 0 ? "<tr class=\"calibrated\">" : "<tr>").Append("<th scope=\"row\">").Append(E(p.Threshold.ToString("0.00", Ci) + (p.Threshold == 0 ? " (calibrated)" : ""))).Append("</th>")
                    .Append("<td>").Append(E(Percent(p.DigitsFlagged))).Append("</td>");
                if (withNonDigits)
                    _html.Append("<td>").Append(E(Percent(p.NonDigitsCaught ?? 0, 1))).Append("</td><td>").Append(E(p.TopProbabilityThreshold.ToString("0.0000", Ci)))
                        .Append("</td><td>").Append(E(Percent(p.TopProbabilityCatch ?? 0, 1))).Append("</td>");
                _html.Append("</tr>\n");
            }
            _html.Append("</tbody>\n</table></div>\n</section>\n");
        }

        private void Training(byte[]? curvesPng)
        {
            if (report.Training is not { Epochs.Count: > 0 } training) return;
            _html.Append("<section id=\"training\">\n<h2>Training</h2>\n");
            if (curvesPng is not null)
                _html.Append("<img id=\"training-curves\" class=\"chart\" src=\"").Append(ReportImages.PngDataUri(curvesPng))
                    .Append("\" alt=\"Loss and accuracy per epoch\">\n");
            _html.Append("<p class=\"hint\">").Append(E(string.Format(Ci, "{0} epoch{1} in {2:F1} s; kept the weights of epoch {3}{4}.",
                training.Epochs.Count, training.Epochs.Count == 1 ? "" : "s", training.TotalTime.TotalSeconds, training.SelectedEpoch,
                string.IsNullOrEmpty(training.StopReason) ? "" : "; stopped: " + training.StopReason))).Append("</p>\n");
            var warnings = training.AllWarnings();
            if (warnings.Count > 0)
            {
                _html.Append("<h3>Warnings</h3>\n<ul id=\"training-warnings\">\n");
                foreach (var warning in warnings) _html.Append("<li>").Append(E(warning)).Append("</li>\n");
                _html.Append("</ul>\n");
            }
            _html.Append("<div class=\"scroll\"><table id=\"epochs-table\" class=\"metrics\">\n<thead><tr><th scope=\"col\">Epoch</th><th scope=\"col\">Loss</th><th scope=\"col\">Accuracy</th>")
                .Append("<th scope=\"col\">Validation loss</th><th scope=\"col\">Validation accuracy</th><th scope=\"col\">Learning rate</th><th scope=\"col\">Time</th><th scope=\"col\">Images/s</th></tr></thead>\n<tbody>\n");
            foreach (var e in training.Epochs)
            {
                _html.Append("<tr><th scope=\"row\">").Append(e.Epoch.ToString(Ci)).Append("</th>");
                foreach (var cell in new[]
                         {
                             Number(e.TrainLoss, "F4"), Percent(e.TrainAccuracy),
                             e.ValidationLoss is double vl ? Number(vl, "F4") : "", e.ValidationAccuracy is double va ? Percent(va) : "",
                             e.LearningRate.ToString("G3", Ci), e.EpochTime.TotalSeconds.ToString("F1", Ci) + " s", ReportFormat.Number(e.ImagesPerSecond, "N0"),
                         })
                    _html.Append("<td>").Append(E(cell)).Append("</td>");
                _html.Append("</tr>\n");
            }
            _html.Append("</tbody>\n</table></div>\n</section>\n");
        }

        private void Samples()
        {
            if (report.SampleImages.Count == 0 || report.ImageShape is not { } shape) return;
            _html.Append("<section id=\"samples\">\n<h2>Sample images</h2>\n<p class=\"hint\">The first images of the data with their labels, as the model sees them.</p>\n<div class=\"thumbs samples\">");
            foreach (var sample in report.SampleImages.Where(s => s.Pixels.Length == shape.Size))
            {
                _html.Append("<figure class=\"thumb\">");
                Image("sample-thumb", ReportImages.ToDataUri(sample.Pixels, shape), shape, string.Format(Ci, "row {0}: {1}", sample.Row, sample.Label));
                _html.Append("<figcaption>").Append(E(sample.Label)).Append("</figcaption></figure>");
            }
            _html.Append("</div>\n</section>\n");
        }

        private void Metadata(ReportMetadata? metadata)
        {
            _html.Append("<section id=\"metadata\">\n<h2>Run</h2>\n<div class=\"metadata\">\n");
            var run = new List<MetadataEntry>();
            if (metadata is not null)
            {
                run.Add(new("Created", metadata.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Ci)));
                run.Add(new("Library", "MlNetMnist " + metadata.LibraryVersion));
            }
            run.Add(new("Rows evaluated", Number(report.TotalCount, "N0")));
            run.Add(new("Classes", string.Join(", ", report.ClassNames)));
            if (report.ImageShape is { } shape) run.Add(new("Image shape", shape.ToString()));
            Entries("Report", run);
            if (metadata is not null)
            {
                Entries("Model", metadata.Model);
                Entries("Data", metadata.Data);
            }
            _html.Append("</div>\n</section>\n");
        }

        private void Entries(string caption, IReadOnlyList<MetadataEntry> entries)
        {
            if (entries.Count == 0) return;
            _html.Append("<table class=\"entries\"><caption>").Append(E(caption)).Append("</caption><tbody>\n");
            foreach (var entry in entries)
                _html.Append("<tr><th scope=\"row\">").Append(E(entry.Name)).Append("</th><td>").Append(E(entry.Value)).Append("</td></tr>\n");
            _html.Append("</tbody></table>\n");
        }

        private static string Rows(double count) => Number(count, "N0") + (count == 1 ? " row" : " rows");

        private static string Percent(double value, int decimals = 2) => ReportFormat.Percent(value, decimals);

        private static string Number(double value, string format) => format == "N0" ? ReportFormat.Count(value) : ReportFormat.Number(value, format);
    }
}
