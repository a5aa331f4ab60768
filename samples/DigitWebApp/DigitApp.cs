using Microsoft.AspNetCore.Http.Features;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// The web app: <c>GET /</c> serves the drawing page, <c>POST /api/predict</c> takes an image (the
/// canvas as PNG) and returns the prediction and the class probabilities as JSON.
/// </summary>
public static class DigitApp
{
    /// <summary>Largest request body accepted by <c>/api/predict</c>.</summary>
    public const int MaxImageBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Builds the app from the command line: <c>--urls</c> (ASP.NET Core's own), <c>--model FILE</c>
    /// (default <c>model.zip</c>; trained on MNIST first when it does not exist), <c>--mnist DIR</c>
    /// (where MNIST is, or is downloaded to, for that training; default <c>data/mnist</c>),
    /// <c>--threshold P</c> (below it a prediction "needs review"; default 0.7).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        string modelPath = Path.GetFullPath(builder.Configuration["model"] ?? "model.zip");
        string mnist = builder.Configuration["mnist"] ?? "data/mnist";
        float threshold = float.Parse(builder.Configuration["threshold"] ?? "0.7", System.Globalization.CultureInfo.InvariantCulture);
        if (!File.Exists(modelPath)) ModelBootstrap.TrainAndSave(modelPath, mnist, Console.Out);

        builder.Services.AddDigitPredictionService(modelPath, o => o.ConfidenceThreshold = threshold);
        var app = builder.Build();
        string page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapPost("/api/predict", PredictAsync);
        app.MapGet("/api/classes", (DigitPredictionService service) => Results.Json(service.ClassNames));
        // Load the model now, not on the first request.
        app.Services.GetRequiredService<DigitPredictionService>();
        return app;
    }

    private static string ReadPage()
    {
        using var stream = typeof(DigitApp).Assembly.GetManifestResourceStream("DigitWebApp.index.html")
            ?? throw new InvalidOperationException("The page resource DigitWebApp.index.html is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task<IResult> PredictAsync(HttpRequest request, DigitPredictionService service, CancellationToken cancellation)
    {
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = MaxImageBytes;
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, cancellation);
        }
        catch (BadHttpRequestException e)
        {
            return Results.Problem(e.Message, statusCode: e.StatusCode);
        }
        if (body.Length == 0) return Results.Problem("Send the image (PNG, JPEG, ...) as the request body.", statusCode: 400);
        try
        {
            var p = service.PredictImage(body.ToArray());
            // No ink: no label and no probabilities, a status of its own ("empty").
            if (p.IsEmpty) return Results.Json(new { label = (string?)null, probability = (float?)null, status = p.Status, top = Array.Empty<object>(), classes = Array.Empty<object>() });
            return Results.Json(new
            {
                label = p.Label,
                probability = p.Probability,
                status = p.Status,
                outOfDistribution = p.OutOfDistribution,
                top = p.Top.Select(c => new { label = c.Label, probability = c.Probability }),
                classes = p.Classes.Select(c => new { label = c.Label, probability = c.Probability }),
            });
        }
        catch (InvalidDataException e)
        {
            // Not an image, or truncated or corrupt: refused, never partly decoded and guessed at.
            return Results.Problem($"The request body: {e.Message}", statusCode: 400);
        }
    }
}
