using System.Globalization;
using System.Text.RegularExpressions;
using MlNetMnist.Reports;
using SkiaSharp;

namespace MlNetMnist.Tests.Reports;

/// <summary>The files of <see cref="ReportWriter.WriteAll"/>: formats, contents, self-containment.</summary>
[Collection(ReportCollection.Name)]
public sealed class ReportWriterTests(MnistReportFixture f)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    internal static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes.Take(8));
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return (bitmap.Width, bitmap.Height);
    }

    /// <summary>Splits RFC 4180 CSV text into rows of fields.</summary>
    internal static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = new List<string>(); }
            else field.Append(c);
        }
        Assert.Empty(row);
        return rows;
    }

    [Fact]
    public void WriteAllWritesEveryFormatAsAtomicFiles()
    {
        var files = f.Files;
        string dir = Path.GetDirectoryName(files.Html)!;
        Assert.Equal(
            new[] { "confusion-matrix.csv", "confusion-matrix.png", "confusions.csv", "per-class.csv", "report.html", "report.json", "report.md", "training-curves.png" },
            Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Equal(8, files.All.Count());
        var heatmap = PngSize(files.ConfusionMatrixPng);
        Assert.Equal(heatmap.Width, heatmap.Height);
        Assert.True(heatmap.Width >= 480, $"heatmap {heatmap}");
        Assert.Equal((1000, 380), PngSize(files.TrainingCurvesPng!));
        Assert.Equal(f.Report, MetricsReport.ReadJson(files.Json));

        // Written again over the old files, nothing else appears.
        ReportWriter.WriteAll(f.Report, dir);
        Assert.Equal(8, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void AReportWithoutHistoryHasNoTrainingCurves()
    {
        string dir = TestData.NewTempDirectory("mlnetmnist-report-nohistory");
        try
        {
            var files = ReportWriter.WriteAll(f.LoadedReport, dir);
            Assert.Null(files.TrainingCurvesPng);
            Assert.False(File.Exists(Path.Combine(dir, ReportWriter.TrainingCurvesPngFileName)));
            string html = File.ReadAllText(files.Html);
            Assert.DoesNotContain("id=\"training\"", html);
            Assert.DoesNotContain("training-curves", File.ReadAllText(files.Markdown));
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "");
            Assert.Throws<IOException>(() => ReportWriter.WriteAll(f.LoadedReport, file));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CsvTablesHoldTheExactNumbers()
    {
        var r = f.Report;
        var matrix = ParseCsv(File.ReadAllText(f.Files.ConfusionMatrixCsv));
        Assert.Equal(["true\\predicted", .. r.ClassNames], matrix[0]);
        Assert.Equal(r.ClassCount + 1, matrix.Count);
        for (int t = 0; t < r.ClassCount; t++)
        {
            Assert.Equal(r.ClassNames[t], matrix[t + 1][0]);
            Assert.Equal(r.ConfusionMatrix[t], matrix[t + 1].Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)));
        }

        var perClass = ParseCsv(File.ReadAllText(f.Files.PerClassCsv));
        Assert.Equal(["class", "support", "correct", "predicted", "precision", "recall", "f1", "log_loss"], perClass[0]);
        for (int c = 0; c < r.ClassCount; c++)
        {
            var m = r.PerClass[c];
            var values = perClass[c + 1].Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(m.ClassName, perClass[c + 1][0]);
            Assert.Equal(new[] { m.Support, m.Correct, m.Predicted, m.Precision, m.Recall, m.F1, m.LogLoss }, values);
        }

        var confusions = ParseCsv(File.ReadAllText(f.Files.ConfusionsCsv));
        Assert.Equal(r.TopConfusions.Count + 1, confusions.Count);
        Assert.Equal([r.TopConfusions[0].TrueClass, r.TopConfusions[0].PredictedClass], confusions[1].Take(2));
    }

    [Fact]
    public void TheWrittenFilesPrintAsTheirPaths() =>
        Assert.Equal($"ReportFiles {{ {string.Join(", ", f.Files.All)} }}", f.Files.ToString());

    [Fact]
    public void HtmlIsOneSelfContainedPageWithEverySection()
    {
        string html = File.ReadAllText(f.Files.Html);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("Content-Security-Policy", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        foreach (Match src in Regex.Matches(html, "(?:src|href)=\"([^\"]*)\""))
            Assert.StartsWith("data:image/png;base64,", src.Groups[1].Value);
        foreach (var id in new[] { "summary", "confusion-heatmap", "per-class-table", "top-confusions", "misclassified", "training", "training-curves", "samples", "metadata" })
            Assert.Contains($"id=\"{id}\"", html);
        Assert.Equal(f.Report.ClassCount * f.Report.ClassCount, Regex.Matches(html, "<td class=\"cell").Count);
        Assert.True(Regex.Matches(html, "class=\"misclassified-thumb\"").Count >= Math.Min(f.Report.Misclassified.Count, HtmlReportWriter.DisplayedErrors));
        Assert.Equal(f.Report.SampleImages.Count, Regex.Matches(html, "class=\"sample-thumb\"").Count);
        Assert.Contains(ReportFormat(f.Report.MicroAccuracy), html);
        Assert.Contains(f.Report.Metadata!.LibraryVersion, html);
        Assert.Contains(">Epochs</th><td>1</td>", html);
    }

    [Fact]
    public void TrainingWarningsAreListedOnceInTheHtmlAndMarkdownReports()
    {
        var epoch = new MlNetMnist.Training.TrainingProgress(1, 2, 0.5, 0.9, null, null, 0.01, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 100, TimeSpan.FromSeconds(1))
        {
            Warnings = ["Column 'Features' holds values 0-1 <scaled?>; expected raw pixels 0-255."],
        };
        var second = epoch with { Epoch = 2, Warnings = ["Column 'Features' holds values 0-1 <scaled?>; expected raw pixels 0-255.", "Second warning."] };
        var report = f.Report with { Training = new TrainingSummary { Epochs = [epoch, second], SelectedEpoch = 2 } };
        Assert.Equal(2, report.Training!.AllWarnings().Count);

        string html = HtmlReportWriter.ToHtml(report);
        var list = Regex.Match(html, "<ul id=\"training-warnings\">(.*?)</ul>", RegexOptions.Singleline);
        Assert.True(list.Success, "no warnings list in the HTML report");
        Assert.Equal(2, Regex.Matches(list.Groups[1].Value, "<li>").Count);
        Assert.Contains("0-1 &lt;scaled?&gt;; expected raw pixels", list.Groups[1].Value);

        string md = MarkdownReportWriter.ToMarkdown(report);
        Assert.Contains("- Second warning.", md);
        Assert.Single(Regex.Matches(md, "expected raw pixels 0-255"));
        Assert.DoesNotContain("training-warnings", HtmlReportWriter.ToHtml(f.Report with { Training = new TrainingSummary { Epochs = [epoch with { Warnings = [] }] } }));
    }

    [Fact]
    public void MarkdownHasTheTablesAndLinksTheCharts()
    {
        string md = File.ReadAllText(f.Files.Markdown);
        Assert.Contains("![Confusion matrix](confusion-matrix.png)", md);
        Assert.Contains("![Training curves](training-curves.png)", md);
        Assert.Contains("| Class | Rows | Correct | Predicted | Precision | Recall | F1 | Log loss |", md);
        Assert.Contains($"| Accuracy (micro) | {ReportFormat(f.Report.MicroAccuracy)} |", md);
        var first = f.Report.TopConfusions[0];
        Assert.Contains($"| {first.TrueClass} | {first.PredictedClass} | {first.Count.ToString("N0", CultureInfo.InvariantCulture)} |", md);
        Assert.Contains("## Training", md);
    }

    [Fact]
    public void ThumbnailsAreThePixelsAsGrayscalePng()
    {
        var example = f.Report.Misclassified[0];
        var png = ReportImages.ToPng(example.Pixels, ImageShape.Mnist);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(28, bitmap.Width);
        Assert.Equal(28, bitmap.Height);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                Assert.Equal(example.Pixels[y * 28 + x], bitmap.GetPixel(x, y).Red);
        Assert.StartsWith("data:image/png;base64,", ReportImages.ToDataUri(example.Pixels, ImageShape.Mnist));
        Assert.Throws<ArgumentException>(() => ReportImages.ToPng(new byte[10], ImageShape.Mnist));

        // Three planes make an RGB image.
        var rgb = new byte[3 * 2 * 2];
        rgb[0] = 255; rgb[4 + 1] = 255; rgb[8 + 2] = 255;
        using var colour = SKBitmap.Decode(ReportImages.ToPng(rgb, new ImageShape(3, 2, 2)));
        Assert.Equal(new SKColor(255, 0, 0), colour.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 255, 0), colour.GetPixel(1, 0));
        Assert.Equal(new SKColor(0, 0, 255), colour.GetPixel(0, 1));
    }

    [Fact]
    public void ImageShapesComeFromTheModelTheFileOrTheVectorSize()
    {
        Assert.Equal(ImageShape.Mnist, ImageShape.FromModel(f.Model));
        Assert.Null(ImageShape.FromModel(f.LoadedModel));
        Assert.Equal(ImageShape.Mnist, ImageShape.FromModelFile(f.ModelPath));
        Assert.Equal(new ImageShape(1, 10, 10), ImageShape.Infer(100));
        Assert.Equal(new ImageShape(3, 8, 8), ImageShape.Infer(192));
        Assert.Null(ImageShape.Infer(7));
        var described = ReportMetadata.DescribeModelFile(f.ModelPath);
        Assert.Contains(new MetadataEntry("Input shape", "1x28x28"), described);
        Assert.Contains(new MetadataEntry("Classes", "10"), described);
        Assert.Contains(described, e => e.Name == "Network" && e.Value.Length > 0);
    }

    private static string ReportFormat(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
