using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.Playwright;
using MlNetMnist.Reports;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Reports;

/// <summary>
/// The figures a person reads in the rendered HTML report (headless Chromium) are ML.NET's: accuracy,
/// macro accuracy and log loss, every class's rows, precision, recall and F1, and every count of the
/// confusion matrix with its row and column labels, for the model trained in process and for the same
/// model loaded from model.zip (evaluated with ML.NET alone).
/// </summary>
[Collection(ReportCollection.Name)]
public sealed class HtmlReportFiguresBrowserTests(MnistReportFixture mnist, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>, IDisposable
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-report-figures");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheTrainedModelsPageShowsMlNetsFigures()
    {
        var scored = mnist.Model.Transform(mnist.Test);
        await AssertPageShowsAsync(mnist.Files.Html, mnist.Ml.MulticlassClassification.Evaluate(scored), SlotNames(scored));
    }

    [Fact]
    public async Task TheLoadedModelsPageShowsMlNetsFigures()
    {
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(mnist.ModelPath, out _);
        var scored = loaded.Transform(mnist.Test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        string html = Path.Combine(_dir, "loaded.html");
        HtmlReportWriter.Write(MetricsReport.Evaluate(ml, loaded, mnist.Test), html);
        await AssertPageShowsAsync(html, metrics, SlotNames(scored));
        (loaded as IDisposable)?.Dispose();
    }

    private async Task AssertPageShowsAsync(string htmlPath, MulticlassClassificationMetrics metrics, string[] classNames)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await using var _ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(htmlPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var matrix = metrics.ConfusionMatrix;
        int k = matrix.NumberOfClasses;
        Assert.Equal(k, classNames.Length);

        // The summary cards.
        Assert.Equal(metrics.MicroAccuracy, Percent(await Card(page, "Accuracy")), 0.00005 + 1e-12);
        Assert.Equal(metrics.MacroAccuracy, Percent(await Card(page, "Macro accuracy")), 0.00005 + 1e-12);
        Assert.Equal(metrics.LogLoss, double.Parse(await Card(page, "Log loss"), Ci), 0.00005 + 1e-12);
        output.WriteLine($"{Path.GetFileName(htmlPath)}: accuracy card {await Card(page, "Accuracy")}, ML.NET {metrics.MicroAccuracy:R}");

        // The confusion matrix: labels and every count (an empty cell is 0).
        var heatmap = page.Locator("#confusion-heatmap");
        Assert.Equal([.. classNames, "rows"], await heatmap.Locator("thead th[scope=col]").AllInnerTextsAsync());
        Assert.Equal(classNames, await heatmap.Locator("tbody th[scope=row]").AllInnerTextsAsync());
        var cells = await heatmap.Locator("tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.querySelectorAll('td.cell')].map(c => c.innerText.trim()))");
        var totals = await heatmap.Locator("tbody td.total").AllInnerTextsAsync();
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
                Assert.True(Count(cells[t][p]) == matrix.Counts[t][p], $"cell ({classNames[t]}, {classNames[p]}): page {cells[t][p]}, ML.NET {matrix.Counts[t][p]}");
            Assert.Equal(matrix.Counts[t].Sum(), Count(totals[t]));
        }

        // The per-class table: rows, correct, predicted, precision, recall, F1.
        var rows = await page.Locator("#per-class-table tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.querySelector('th').innerText.trim(), ...[...r.querySelectorAll('td')].map(c => c.innerText.trim())])");
        Assert.Equal(k, rows.Length);
        for (int c = 0; c < k; c++)
        {
            double precision = matrix.PerClassPrecision[c], recall = matrix.PerClassRecall[c];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            double predicted = Enumerable.Range(0, k).Sum(t => matrix.Counts[t][c]);
            var row = rows[c];
            Assert.Equal(classNames[c], row[0]);
            Assert.Equal(matrix.Counts[c].Sum(), Count(row[1]));
            Assert.Equal(matrix.Counts[c][c], Count(row[2]));
            Assert.Equal(predicted, Count(row[3]));
            Assert.Equal(precision, double.Parse(row[4], Ci), 0.00005 + 1e-12);
            Assert.Equal(recall, double.Parse(row[5], Ci), 0.00005 + 1e-12);
            Assert.Equal(f1, double.Parse(row[6], Ci), 0.00005 + 1e-12);
        }
    }

    private static async Task<string> Card(IPage page, string name) =>
        (await page.Locator("#summary .card").Filter(new LocatorFilterOptions { Has = page.Locator($".name:text-is('{name}')") }).Locator(".value").InnerTextAsync()).Trim();

    private static double Percent(string text) => double.Parse(text.TrimEnd('%'), Ci) / 100;

    private static double Count(string text) => text.Length == 0 ? 0 : double.Parse(text, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, Ci);

    private static string[] SlotNames(IDataView scored)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Score"].GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
