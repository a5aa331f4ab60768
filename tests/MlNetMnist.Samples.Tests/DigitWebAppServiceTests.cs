using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DigitWebApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MlNetMnist.Serving;

namespace MlNetMnist.Samples.Tests;

/// <summary>
/// DigitWebApp as a service: OpenAPI document, batch endpoint, ProblemDetails errors and request limits,
/// health and Prometheus metrics, a model swapped without a restart, graceful shutdown, no training at
/// start-up unless asked. Each test runs its own app (loopback, port chosen by the OS) on its own copy of the model.
/// </summary>
[Collection(SampleModelCollection.Name)]
public sealed class DigitWebAppServiceTests(SampleModelFixture f) : IAsyncLifetime
{
    private readonly string _directory = SampleData.NewTempDirectory("mlnetmnist-webapp");
    private readonly List<WebApplication> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string ModelPath => Path.Combine(_directory, "model.zip");

    private Task<(WebApplication App, HttpClient Http)> StartAsync(params string[] settings) => StartAsync(null, settings);

    private async Task<(WebApplication App, HttpClient Http)> StartAsync(Action<WebApplication>? configure, params string[] settings)
    {
        if (!File.Exists(ModelPath)) File.Copy(f.ModelPath, ModelPath);
        var app = DigitApp.Build([
            "--model", ModelPath, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning",
            "--DigitModels:Models:digits:ReloadDelay", "00:00:00.100", .. settings]);
        _apps.Add(app);
        configure?.Invoke(app);
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/") });
    }

    private byte[] Digit(int index, int factor = 3) => SampleData.Png(SampleData.Enlarge(f.Test.Pixels.AsSpan(index * 784, 784), 28, 28, factor), 28 * factor, 28 * factor);

    /// <summary>A PNG of random gray pixels: does not compress, so its size is about <paramref name="side"/> squared.</summary>
    private static byte[] Noise(int side)
    {
        var pixels = new byte[side * side];
        new Random(side).NextBytes(pixels);
        return SampleData.Png(pixels, side, side);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesThePredictionBatchAndModelEndpoints()
    {
        var (_, http) = await StartAsync();
        var document = await Json(await http.GetAsync("openapi/v1.json"));
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        var predict = paths.GetProperty("/api/predict").GetProperty("post");
        Assert.True(predict.GetProperty("requestBody").GetProperty("content").TryGetProperty("image/png", out _));
        Assert.Equal("#/components/schemas/PredictionResponse",
            predict.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        foreach (var status in new[] { "400", "404", "413" })
            Assert.True(predict.GetProperty("responses").GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), status);
        var batch = paths.GetProperty("/api/predict/batch").GetProperty("post");
        Assert.True(batch.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(paths.TryGetProperty("/api/models", out _));
        Assert.True(paths.TryGetProperty("/api/classes", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("PredictionResponse").GetProperty("properties").TryGetProperty("modelVersion", out _));
    }

    [Fact]
    public async Task ABatchIsPredictedInOrderByOneModelVersionWithAnErrorForEachBadImage()
    {
        var (_, http) = await StartAsync("--DigitWebApp:MaxBatchImages", "8", "--DigitWebApp:MaxImageBytes", "60000");
        using var reference = DigitPredictionService.Load(f.ModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0.7f });
        using var form = new MultipartFormDataContent();
        var sent = new List<(string Name, byte[] Bytes)>();
        for (int i = 0; i < 5; i++) sent.Add(($"digit-{i}.png", Digit(i)));
        sent.Insert(2, ("notes.txt", "not an image"u8.ToArray()));
        sent.Add(("huge.png", Noise(300)));
        foreach (var (name, bytes) in sent)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "images", name);
        }
        var response = await http.PostAsync("api/predict/batch", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("digits", body.GetProperty("model").GetString());
        Assert.Equal(ServingVersion(f.ModelPath), body.GetProperty("modelVersion").GetString());
        Assert.Equal((5, 2), (body.GetProperty("succeeded").GetInt32(), body.GetProperty("failed").GetInt32()));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(sent.Select(s => s.Name), results.Select(r => r.GetProperty("name").GetString()));
        foreach (var (item, (name, bytes)) in results.Zip(sent))
        {
            if (name.StartsWith("digit", StringComparison.Ordinal))
            {
                var expected = reference.PredictImage(bytes);
                Assert.Equal(expected.Label, item.GetProperty("label").GetString());
                Assert.Equal(expected.Probability, item.GetProperty("probability").GetSingle());
                Assert.Equal(expected.Status, item.GetProperty("status").GetString());
                Assert.False(item.TryGetProperty("error", out _));
            }
            else
            {
                Assert.False(item.TryGetProperty("label", out _));
                Assert.StartsWith($"{name}: ", item.GetProperty("error").GetString());
            }
        }
        Assert.Contains("not an image", results[2].GetProperty("error").GetString());
        Assert.Contains("images of at most 60,000 bytes are accepted", results[^1].GetProperty("error").GetString());

        // More images than allowed: 413, nothing predicted.
        using var tooMany = new MultipartFormDataContent();
        for (int i = 0; i < 9; i++) tooMany.Add(new ByteArrayContent(Digit(i)), "images", $"{i}.png");
        var problem = await Problem(await http.PostAsync("api/predict/batch", tooMany), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("9 images in one batch; at most 8 are accepted.", problem.GetProperty("detail").GetString());
        // Not a form: 415.
        await Problem(await http.PostAsync("api/predict/batch", new ByteArrayContent(Digit(0))), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task ErrorsAreProblemDetailsWithTheStatusThatSaysWhatIsWrong()
    {
        var (_, http) = await StartAsync("--DigitWebApp:MaxImageBytes", "5000");
        var unknown = await Problem(await http.PostAsync("api/predict?model=letters", new ByteArrayContent(Digit(0, 1))), HttpStatusCode.NotFound);
        Assert.Equal("There is no digit model named 'letters' (models: digits).", unknown.GetProperty("detail").GetString());
        var tooBig = await Problem(await http.PostAsync("api/predict", new ByteArrayContent(Noise(100))), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("The image is larger than 5,000 bytes.", tooBig.GetProperty("detail").GetString());
        var empty = await Problem(await http.PostAsync("api/predict", new ByteArrayContent([])), HttpStatusCode.BadRequest);
        Assert.Contains("Send the image", empty.GetProperty("detail").GetString());
        var notImage = await Problem(await http.PostAsync("api/predict", new ByteArrayContent("not a picture"u8.ToArray())), HttpStatusCode.BadRequest);
        Assert.Contains("not an image", notImage.GetProperty("detail").GetString());
        await Problem(await http.GetAsync("api/nothing-here"), HttpStatusCode.NotFound);
        await Problem(await http.GetAsync("api/classes?model=letters"), HttpStatusCode.NotFound);

        // The error counter saw the bad image (and only that: a 404 never reached a model).
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("mlnetmnist_prediction_errors_total{", metrics);
        Assert.Contains("error_type=\"invalid_input\"", metrics);
    }

    [Fact]
    public async Task HealthAndMetricsFollowAModelSwappedWithoutARestartAndARefusedFile()
    {
        var (_, http) = await StartAsync();
        string a = ServingVersion(f.ModelPath), b = ServingVersion(f.SecondModelPath);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
        var ready = await Json(await http.GetAsync("health/ready"));
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal(a, ready.GetProperty("checks").GetProperty("digit-models").GetProperty("data").GetProperty("digits.version").GetString());

        for (int i = 0; i < 3; i++)
        {
            var answer = await Json(await http.PostAsync("api/predict", new ByteArrayContent(Digit(i))));
            Assert.Equal(a, answer.GetProperty("modelVersion").GetString());
        }
        Assert.True(await MetricsShow(http, "mlnetmnist_predictions_total", 3, "mlnetmnist_model_name=\"digits\"", $"mlnetmnist_model_version=\"{a}\""));
        Assert.True(await MetricsShow(http, "mlnetmnist_prediction_duration_seconds_count", 3, $"mlnetmnist_model_version=\"{a}\""));
        Assert.True(await MetricsShow(http, "mlnetmnist_model_generation", 1, "mlnetmnist_model_name=\"digits\"", $"mlnetmnist_model_version=\"{a}\""));

        // A truncated file: refused, the old version serves, ready but Degraded.
        Replace(ModelPath, File.ReadAllBytes(f.SecondModelPath)[..1000]);
        Assert.True(await Until(async () => (await Json(await http.GetAsync("health/ready"))).GetProperty("status").GetString() == "Degraded"));
        var degraded = await http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Contains("the changed file was refused", await degraded.Content.ReadAsStringAsync());
        Assert.Equal(a, (await Json(await http.PostAsync("api/predict", new ByteArrayContent(Digit(4))))).GetProperty("modelVersion").GetString());

        // The new model: swapped in, answers carry its version, health is back to Healthy.
        Replace(ModelPath, File.ReadAllBytes(f.SecondModelPath));
        Assert.True(await Until(async () => (await Json(await http.GetAsync("api/models")))[0].GetProperty("version").GetString() == b));
        var models = await Json(await http.GetAsync("api/models"));
        Assert.Equal(2, models[0].GetProperty("generation").GetInt64());
        Assert.True(models[0].GetProperty("isDefault").GetBoolean());
        Assert.False(models[0].TryGetProperty("lastReloadError", out _));
        using var second = DigitPredictionService.Load(f.SecondModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0.7f });
        var fromB = await Json(await http.PostAsync("api/predict", new ByteArrayContent(Digit(5))));
        Assert.Equal(b, fromB.GetProperty("modelVersion").GetString());
        Assert.Equal(second.PredictImage(Digit(5)).Probability, fromB.GetProperty("probability").GetSingle());
        Assert.Equal("Healthy", (await Json(await http.GetAsync("health/ready"))).GetProperty("status").GetString());
        Assert.True(await MetricsShow(http, "mlnetmnist_model_reloads_total", 1, "mlnetmnist_reload_outcome=\"refused\""));
        Assert.True(await MetricsShow(http, "mlnetmnist_model_reloads_total", 1, "mlnetmnist_reload_outcome=\"loaded\""));
        Assert.True(await MetricsShow(http, "mlnetmnist_model_generation", 2, $"mlnetmnist_model_version=\"{b}\""));
    }

    [Fact]
    public async Task AStoppingAppIsNotReadyAndFinishesTheRequestInFlight()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The server signals when the request has reached the app (its body still incomplete).
        var (app, http) = await StartAsync(a => a.Use(async (context, next) =>
        {
            if (context.Request.Path == "/api/predict") arrived.TrySetResult();
            await next(context);
        }));
        var png = Digit(7);
        var sending = http.PostAsync("api/predict", new SlowContent(png, release.Task));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = app.StopAsync();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        var health = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag));
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Equal("Shutting down: finishing the requests in flight.", health.Entries["accepting-requests"].Description);
        // The server waits for the request whose body is still coming.
        Assert.False(stopping.IsCompleted);

        release.SetResult();
        var response = await sending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(f.Test.Labels[7].ToString(), (await Json(response)).GetProperty("label").GetString());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void WithoutAModelFileTheAppDoesNotStartAndSaysHowToGetOne()
    {
        string missing = Path.Combine(_directory, "none.zip");
        var error = Assert.Throws<InvalidOperationException>(() => DigitApp.Build(["--model", missing, "--urls", "http://127.0.0.1:0"]));
        Assert.Equal($"{missing}: model file not found for model 'digits'. Point DigitModels:Models:digits:ModelPath (or --model) at a model.zip, " +
            "or start with --train-if-missing to train one now.", error.Message);
        Assert.False(File.Exists(missing));
    }

    private static string ServingVersion(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..12];

    private static void Replace(string path, byte[] bytes)
    {
        string temp = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Polls (bounded: 30 s) until the condition holds.</summary>
    private static async Task<bool> Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return await condition();
    }

    /// <summary>
    /// Polls (the Prometheus exporter caches its page briefly) until a scrape has a sample of
    /// <paramref name="metric"/> with these labels (among others) and this value.
    /// </summary>
    private static Task<bool> MetricsShow(HttpClient http, string metric, double value, params string[] labels) => Until(async () =>
        (await http.GetStringAsync("metrics")).Split('\n').Any(line =>
            line.StartsWith(metric + "{", StringComparison.Ordinal)
            && labels.All(l => line.Contains(l, StringComparison.Ordinal))
            && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double v) && v == value));

    /// <summary>A body sent in two halves: the second only when released, so the request is in flight meanwhile.</summary>
    private sealed class SlowContent(byte[] bytes, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            int half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
