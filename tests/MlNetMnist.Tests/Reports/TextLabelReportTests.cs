using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Reports;

/// <summary>A report of a classifier whose labels are text (three classes, one full of HTML).</summary>
[Collection(ReportCollection.Name)]
public sealed class TextLabelReportTests(TextLabelReportFixture f)
{
    private static readonly string Bird = TextLabelReportFixture.Names[2];

    [Fact]
    public void NumbersAreMlNetsAndClassesAreTheTextKeyValuesInKeyOrder()
    {
        ReportNumbersTests.AssertMatchesMlNet(f.Metrics, f.Report);
        Assert.Equal(TextLabelReportFixture.ClassOrder, f.Report.ClassNames);
        Assert.Equal(3, f.Report.TopKPredictionCount);
        Assert.Equal(f.TestRowsData.Length, f.Report.TotalCount);
        foreach (var (name, c) in f.Report.ClassNames.Zip(f.Report.PerClass))
            Assert.Equal(f.TestRowsData.Count(r => r.Label == name), c.Support);
    }

    [Fact]
    public void MisclassifiedAndSampleImagesCarryTheTextLabels()
    {
        var r = f.Report;
        Assert.True(r.ErrorCount > 0, "the weak model was expected to make mistakes");
        if (r.ErrorCount <= new ReportOptions().MostConfidentErrors) Assert.Equal(r.ErrorCount, r.Misclassified.Count);
        foreach (var e in r.Misclassified)
        {
            var row = f.TestRowsData[e.Row];
            Assert.Equal(row.Label, e.TrueLabel);
            Assert.NotEqual(e.TrueLabel, e.PredictedLabel);
            Assert.Contains(e.PredictedLabel, TextLabelReportFixture.Names);
            Assert.Equal(row.Features.Select(v => (byte)v), e.Pixels);
        }
        Assert.Equal(f.TrainRowsData.Take(r.SampleImages.Count).Select(s => s.Label), r.SampleImages.Select(s => s.Label));
        Assert.Contains(Bird, r.SampleImages.Select(s => s.Label));
        Assert.Equal(ImageShape.Mnist, r.ImageShape);
    }

    [Fact]
    public void HtmlEscapesTheLabelsTitleAndMetadata()
    {
        string html = File.ReadAllText(f.Files.Html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<birds>", html);
        Assert.Contains("&lt;b&gt;bird&lt;/b&gt; &amp; &quot;co&quot;", html);
        Assert.Contains("<title>Pets &amp; &lt;birds&gt;</title>", html);
        Assert.Contains("\">&lt;b&gt;bird&lt;/b&gt; &amp; &quot;co&quot;</th>", html);
        Assert.Contains("title=\"&lt;b&gt;bird&lt;/b&gt; &amp; &quot;co&quot;\"", html);
        Assert.Contains("MNIST 0/1/2 as &quot;cat&quot;, &quot;dog&quot; &amp; &lt;b&gt;bird&lt;/b&gt;", html);
    }

    [Fact]
    public void MarkdownCsvAndJsonKeepTheLabelsAsText()
    {
        string md = File.ReadAllText(f.Files.Markdown);
        Assert.DoesNotContain("<b>", md);
        Assert.Contains("&lt;b&gt;bird&lt;/b&gt; &amp; \"co\"", md);
        Assert.Contains("# Pets &amp; &lt;birds&gt;", md);

        var matrix = ReportWriterTests.ParseCsv(File.ReadAllText(f.Files.ConfusionMatrixCsv));
        Assert.Equal(["true\\predicted", .. TextLabelReportFixture.ClassOrder], matrix[0]);
        Assert.Contains("\"<b>bird</b> & \"\"co\"\"\"", File.ReadAllText(f.Files.PerClassCsv));

        var back = MetricsReport.ReadJson(f.Files.Json);
        Assert.Equal(f.Report, back);
        Assert.Equal(Bird, back.ClassNames[0]);
    }

    [Fact]
    public void MarkdownEscapeLeavesNoMarkupOrCellBreaks()
    {
        Assert.Equal("a\\|b \\*c\\* &lt;i&gt; \\_d\\_ \\[e\\](f) g", MarkdownReportWriter.Escape("a|b *c* <i> _d_ [e](f)\ng"));
        Assert.Equal("\"x, y\"", CsvReportWriter.Field("x, y"));
        Assert.Equal("\" lead\"", CsvReportWriter.Field(" lead"));
        Assert.Equal("plain", CsvReportWriter.Field("plain"));
    }
}
