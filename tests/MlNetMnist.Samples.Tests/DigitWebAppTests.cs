using System.Net;
using DigitWebApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MlNetMnist.Samples.Tests;

[Collection(SampleModelCollection.Name)]
public class DigitWebAppTests(SampleModelFixture f, ChromiumFixture chromium) : IAsyncLifetime, IClassFixture<ChromiumFixture>
{
    private WebApplication? _app;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _app = DigitApp.Build(["--model", f.ModelPath, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning"]);
        await _app.StartAsync();
        _url = _app.Urls.Single().TrimEnd('/') + "/";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task DrawingAOneAndAZeroWithTheMouseShowsThePredictionsAndTheClassProbabilities()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(_url);
        var pad = page.Locator("#pad");
        var box = (await pad.BoundingBoxAsync())!;

        // A "1": one vertical stroke, slightly slanted, in the middle of the pad.
        await Stroke(page, box, [(145, 40), (138, 240)]);
        await Expect(page.Locator("#prediction")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        await Expect(page.Locator("#classes tr")).ToHaveCountAsync(10);
        var labels = await page.Locator("#classes tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.label)");
        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString()), labels);
        string probability = await page.Locator("#probability").InnerTextAsync();
        Assert.EndsWith("%", probability);
        // What the model saw: the prepared 28x28 input has ink.
        Assert.True(int.Parse(await page.Locator("#input").GetAttributeAsync("data-ink") ?? "0") > 10);

        // Clear, then a "0": a closed oval.
        await page.ClickAsync("#clear");
        await Expect(page.Locator("#prediction")).ToHaveTextAsync("-");
        var oval = Enumerable.Range(0, 41).Select(i =>
        {
            double a = 2 * Math.PI * i / 40;
            return (140 + 65 * Math.Sin(a), 140 - 95 * Math.Cos(a));
        }).ToArray();
        await Stroke(page, box, oval);
        await Expect(page.Locator("#prediction")).ToHaveTextAsync("0", new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task NumberModeOutlinesEachDigitWithItsReadingAndPhotosCanBeUploaded()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(_url);

        // An uploaded photo in digit mode: a test digit, dark on a larger grey canvas, off-centre.
        var photo = SampleData.OnGreyCanvas(f.Test.Pixels.AsSpan(0, 784), 28, 28, 120, 90, 70, 40);
        await page.Locator("#upload").SetInputFilesAsync(new FilePayload { Name = "photo.png", MimeType = "image/png", Buffer = photo });
        await Expect(page.Locator("#prediction")).ToHaveTextAsync(f.Test.Labels[0].ToString(), new() { Timeout = 15_000 });

        // Number mode: a "1" and then a "0" drawn next to each other are read as "10", each outlined.
        await page.ClickAsync("#mode-number");
        var pad = page.Locator("#pad");
        var box = (await pad.BoundingBoxAsync())!;
        await Stroke(page, box, [(100, 30), (95, 170)]);
        await Expect(page.Locator("#number")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        var oval = Enumerable.Range(0, 41).Select(i =>
        {
            double a = 2 * Math.PI * i / 40;
            return (220 + 40 * Math.Sin(a), 100 - 65 * Math.Cos(a));
        }).ToArray();
        await Stroke(page, box, oval);
        await Expect(page.Locator("#number")).ToHaveTextAsync("10", new() { Timeout = 15_000 });
        await Expect(page.Locator("#overlay")).ToHaveAttributeAsync("data-boxes", "2");
        await Expect(page.Locator("#digits li")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task ThePredictApiRejectsWhatIsNotAnImage()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        var bad = await http.PostAsync("api/predict", new ByteArrayContent("not a PNG"u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not an image", await bad.Content.ReadAsStringAsync());

        // A test digit, white on black as in MNIST, enlarged: the service centres and scores it.
        var digit = SampleData.Enlarge(f.Test.Pixels.AsSpan(0, 784), 28, 28, 5);
        var ok = await http.PostAsync("api/predict", new ByteArrayContent(SampleData.Png(digit, 140, 140)));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        string json = await ok.Content.ReadAsStringAsync();
        Assert.Contains($"\"label\":\"{f.Test.Labels[0]}\"", json);
        Assert.Contains("\"input\":{\"width\":28,\"height\":28,\"pixels\":[", json);

        // The number endpoint: three test digits side by side, and what is not an image.
        var row = SampleData.Row(f.Test.Pixels, [0, 1, 2], 28, 28, gap: 10);
        var number = await http.PostAsync("api/read-number", new ByteArrayContent(SampleData.Png(row.Gray, row.Width, row.Height)));
        Assert.Equal(HttpStatusCode.OK, number.StatusCode);
        string reading = await number.Content.ReadAsStringAsync();
        Assert.Contains($"\"text\":\"{f.Test.Labels[0]}{f.Test.Labels[1]}{f.Test.Labels[2]}\"", reading);
        Assert.Contains("\"box\":{\"x\":", reading);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("api/read-number", new ByteArrayContent("nope"u8.ToArray()))).StatusCode);

        // With the digit count given; and a count that is no count.
        var counted = await http.PostAsync("api/read-number?digits=3", new ByteArrayContent(SampleData.Png(row.Gray, row.Width, row.Height)));
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Contains($"\"text\":\"{f.Test.Labels[0]}{f.Test.Labels[1]}{f.Test.Labels[2]}\"", await counted.Content.ReadAsStringAsync());
        var zero = await http.PostAsync("api/read-number?digits=0", new ByteArrayContent(SampleData.Png(row.Gray, row.Width, row.Height)));
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("digits is 0; expected a digit count from 1 to 64", await zero.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ThePredictApiRefusesTruncatedUploadsAndAnswersEmptyForBlankImages()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        var digit = SampleData.Enlarge(f.Test.Pixels.AsSpan(0, 784), 28, 28, 5);
        byte[] png = SampleData.Png(digit, 140, 140);
        byte[] jpeg = SampleData.Encode(digit, 140, 140, SkiaSharp.SKEncodedImageFormat.Jpeg);
        foreach (byte[] whole in new[] { png, jpeg })
        {
            var cut = await http.PostAsync("api/predict", new ByteArrayContent(whole.AsSpan(0, whole.Length / 2).ToArray()));
            Assert.Equal(HttpStatusCode.BadRequest, cut.StatusCode);
            string problem = await cut.Content.ReadAsStringAsync();
            Assert.Contains("The request body: the image is incomplete", problem);
        }

        foreach (byte[] blank in new[] { SampleData.Png(new byte[28 * 28], 28, 28), SampleData.Png(Enumerable.Repeat((byte)255, 300 * 300).ToArray(), 300, 300) })
        {
            var empty = await http.PostAsync("api/predict", new ByteArrayContent(blank));
            Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await empty.Content.ReadAsStringAsync());
            Assert.Equal("empty", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("label").ValueKind);
        }
    }

    private static async Task Stroke(IPage page, LocatorBoundingBoxResult box, IReadOnlyList<(double X, double Y)> points)
    {
        // The pad is 280x280 CSS pixels; points are in pad coordinates.
        await page.Mouse.MoveAsync((float)(box.X + points[0].X), (float)(box.Y + points[0].Y));
        await page.Mouse.DownAsync();
        foreach (var (x, y) in points.Skip(1))
            await page.Mouse.MoveAsync((float)(box.X + x), (float)(box.Y + y), new MouseMoveOptions { Steps = 8 });
        await page.Mouse.UpAsync();
    }
}
