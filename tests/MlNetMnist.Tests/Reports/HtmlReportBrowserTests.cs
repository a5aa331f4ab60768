using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Reports;

/// <summary>The HTML report rendered by headless Chromium: what a person opening the file sees.</summary>
[Collection(ReportCollection.Name)]
public sealed class HtmlReportBrowserTests(MnistReportFixture mnist, TextLabelReportFixture text, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<ChromiumFixture>
{
    /// <summary>Where the screenshot is kept for CI (git-ignored).</summary>
    public static string ScreenshotPath { get; } = Path.Combine(TestData.RepositoryRoot, "artifacts", "report-screenshot.png");

    /// <summary>Opens <paramref name="htmlPath"/> in a new page, failing every request that would leave the file (there must be none).</summary>
    private async Task<(IBrowserContext Context, IPage Page, List<string> Blocked)> OpenAsync(string htmlPath)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var blocked = new List<string>();
        await context.RouteAsync("**/*", async route =>
        {
            string url = route.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                lock (blocked) blocked.Add(url);
                await route.AbortAsync();
            }
        });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(htmlPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.NotNull(response);
        Assert.True(response.Ok, $"status {response.Status}");
        return (context, page, blocked);
    }

    [Fact]
    public async Task HeatmapPerClassTableAndMisclassifiedThumbnailsAreVisible()
    {
        var (context, page, blocked) = await OpenAsync(mnist.Files.Html);
        await using var _ = context;

        var heatmap = page.Locator("#confusion-heatmap");
        Assert.True(await heatmap.IsVisibleAsync(), "heatmap not visible");
        Assert.Equal(100, await heatmap.Locator("td.cell").CountAsync());
        var box = await heatmap.BoundingBoxAsync();
        Assert.True(box is { Width: > 300, Height: > 300 }, $"heatmap box {box?.Width}x{box?.Height}");
        // The cells are coloured: the diagonal blue, some off-diagonal ones red.
        string diagonal = await heatmap.Locator("td.cell.diagonal").First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual("rgb(255, 255, 255)", diagonal);
        Assert.True(await heatmap.Locator("td.cell.confused").CountAsync() > 0);

        var perClass = page.Locator("#per-class-table");
        Assert.True(await perClass.IsVisibleAsync(), "per-class table not visible");
        Assert.Equal(10, await perClass.Locator("tbody tr").CountAsync());
        Assert.Equal(mnist.Report.ClassNames, await perClass.Locator("tbody th").AllInnerTextsAsync());

        var thumb = page.Locator("#top-confusions img.misclassified-thumb").First;
        await thumb.ScrollIntoViewIfNeededAsync();
        Assert.True(await thumb.IsVisibleAsync(), "no visible misclassified thumbnail");
        Assert.Equal(28, await thumb.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : -1"));
        var thumbBox = await thumb.BoundingBoxAsync();
        Assert.True(thumbBox is { Width: >= 50, Height: >= 50 }, $"thumbnail box {thumbBox?.Width}x{thumbBox?.Height}");

        Assert.True(await page.Locator("#training-curves").IsVisibleAsync(), "training curves not visible");
        Assert.Equal(mnist.Report.SampleImages.Count, await page.Locator("#samples img.sample-thumb").CountAsync());
        // Every image decoded.
        int broken = await page.EvaluateAsync<int>("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length");
        Assert.Equal(0, broken);
        Assert.Empty(blocked);

        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000);
        output.WriteLine($"Report screenshot: {ScreenshotPath}");
    }

    [Fact]
    public async Task TextLabelsShowAsTextNotMarkup()
    {
        var (context, page, blocked) = await OpenAsync(text.Files.Html);
        await using var _ = context;

        Assert.Equal("Pets & <birds>", await page.TitleAsync());
        var headers = await page.Locator("#confusion-heatmap thead th[scope=col]").AllInnerTextsAsync();
        Assert.Equal([.. TextLabelReportFixture.ClassOrder, "rows"], headers);
        Assert.Equal(0, await page.Locator("#confusion-heatmap b, #per-class-table b, #samples b").CountAsync());
        Assert.Equal(TextLabelReportFixture.ClassOrder, await page.Locator("#per-class-table tbody th").AllInnerTextsAsync());
        Assert.Contains(TextLabelReportFixture.Names[2], await page.Locator("#samples figcaption").AllInnerTextsAsync());
        Assert.True(await page.Locator("img.misclassified-thumb").First.IsVisibleAsync());
        Assert.Empty(blocked);

        string path = Path.Combine(Path.GetDirectoryName(ScreenshotPath)!, "report-text-labels-screenshot.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"Text-label report screenshot: {path}");
    }
}
