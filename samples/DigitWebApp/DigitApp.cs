using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using MlNetMnist.Serving;
using OpenTelemetry.Metrics;

namespace DigitWebApp;

/// <summary>
/// The web app: the drawing page (<c>GET /</c>: draw or upload a photo, see the prepared 28x28 input and
/// the class probabilities, or read a whole number), the prediction API (<see cref="PredictionEndpoints"/>),
/// the number reader (<see cref="NumberEndpoints"/>),
/// the models (<see cref="ModelEndpoints"/>), health (<see cref="HealthEndpoints"/>), metrics in the
/// Prometheus format (<c>GET /metrics</c>, OpenTelemetry) and the OpenAPI document
/// (<c>GET /openapi/v1.json</c>). The models are a <see cref="DigitModelPool"/> configured in the
/// <c>DigitModels</c> section (each model.zip is watched and swapped without a restart); the app's own
/// limits are in <c>DigitWebApp</c> (<see cref="DigitWebAppOptions"/>).
/// </summary>
public static class DigitApp
{
    /// <summary>The model that <c>--model</c> and <c>--threshold</c> set when the configuration names no default model.</summary>
    public const string DefaultModelName = "digits";

    /// <summary>
    /// Builds the app. Configuration: <c>appsettings.json</c> (next to the app), environment variables
    /// (<c>DigitModels__Models__digits__ModelPath</c>), the command line (<c>--DigitModels:Models:digits:ModelPath FILE</c>),
    /// and shorthands: <c>--model FILE</c> and <c>--threshold P</c> (for the default model),
    /// <c>--mnist DIR</c>, <c>--train-if-missing</c> (train a model at start-up when its file does not
    /// exist; without it a missing model file stops the start), and ASP.NET Core's <c>--urls</c>.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var (rest, trainIfMissing) = TakeFlag(args, "--train-if-missing");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(Shorthands(builder.Configuration, trainIfMissing));

        var models = builder.Configuration.GetSection(DigitModelPoolOptions.SectionName);
        var settings = builder.Configuration.GetSection(DigitWebAppOptions.SectionName).Get<DigitWebAppOptions>() ?? new DigitWebAppOptions();
        if (settings.Problems().ToList() is { Count: > 0 } problems) throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        ModelBootstrap.CheckOrTrainModels(models.Get<DigitModelPoolOptions>(), settings, Console.Out);

        builder.Services.AddDigitModelPool(models);
        builder.Services.AddOptions<DigitWebAppOptions>().Bind(builder.Configuration.GetSection(DigitWebAppOptions.SectionName))
            .Validate(o => !o.Problems().Any(), "DigitWebApp settings are not valid.").ValidateOnStart();
        builder.Services.AddDigitHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(DigitModelTelemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        // Request limits: Kestrel refuses any body above the batch limit; /api/predict lowers it to one image.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxBatchBytes);
        builder.Services.Configure<FormOptions>(form =>
        {
            form.MultipartBodyLengthLimit = settings.MaxBatchBytes;
            form.ValueCountLimit = settings.MaxBatchImages + 16;
        });
        // Graceful shutdown: on SIGTERM readiness turns 503 at once and requests in flight get this long to finish.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        string page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapPredictionEndpoints();
        app.MapNumberEndpoints();
        app.MapModelEndpoints();
        app.MapHealthEndpoints();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint();

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() => app.Logger.LogInformation("Stopping: not ready any more; requests in flight get up to {Timeout} to finish", settings.ShutdownTimeout));
        return app;
    }

    /// <summary>The shorthands, as keys of the sections they stand for (they win over the other sources).</summary>
    private static Dictionary<string, string?> Shorthands(IConfiguration configuration, bool trainIfMissing)
    {
        string model = configuration[$"{DigitModelPoolOptions.SectionName}:DefaultModel"] is { Length: > 0 } name ? name : DefaultModelName;
        var result = new Dictionary<string, string?>();
        if (configuration["model"] is { } path) result[$"{DigitModelPoolOptions.SectionName}:Models:{model}:ModelPath"] = path;
        if (configuration["threshold"] is { } threshold) result[$"{DigitModelPoolOptions.SectionName}:Models:{model}:ConfidenceThreshold"] = threshold;
        if (configuration["mnist"] is { } mnist) result[$"{DigitWebAppOptions.SectionName}:MnistDirectory"] = mnist;
        if (trainIfMissing) result[$"{DigitWebAppOptions.SectionName}:TrainIfMissing"] = "true";
        return result;
    }

    /// <summary>Removes a flag (alone, or followed by true/false) from the arguments: the configuration's command line wants a value after every key.</summary>
    private static (string[] Others, bool Set) TakeFlag(string[] args, string flag)
    {
        var rest = new List<string>();
        bool set = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (!string.Equals(args[i], flag, StringComparison.OrdinalIgnoreCase))
            {
                rest.Add(args[i]);
                continue;
            }
            set = true;
            if (i + 1 < args.Length && bool.TryParse(args[i + 1], out bool value))
            {
                set = value;
                i++;
            }
        }
        return ([.. rest], set);
    }

    private static string ReadPage()
    {
        using var stream = typeof(DigitApp).Assembly.GetManifestResourceStream("DigitWebApp.index.html")
            ?? throw new InvalidOperationException("The page resource DigitWebApp.index.html is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
