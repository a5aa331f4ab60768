using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// Health for load balancers and orchestrators: <c>GET /health/live</c> (liveness: the process answers
/// HTTP; no check, so a busy or reloading model never gets the process restarted) and
/// <c>GET /health/ready</c> (readiness: every model loaded, a probe prediction succeeds, and the app is not
/// shutting down). Healthy and Degraded (a refused reload: the old model still serves) answer 200,
/// Unhealthy 503; the body lists each check as JSON.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the checks that decide readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Registers the readiness checks.</summary>
    public static IServiceCollection AddDigitHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DigitModelHealthCheck>("digit-models", tags: [ReadyTag])
            .AddCheck<AcceptingRequestsHealthCheck>("accepting-requests", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson })
            .WithTags("Health").WithSummary("Liveness: 200 while the process serves HTTP.");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJson })
            .WithTags("Health").WithSummary("Readiness: 200 when every model is loaded and answers a probe, 503 otherwise or while shutting down.");
        return app;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    /// <summary>Unhealthy from the moment the app starts stopping, so that a load balancer sends no new requests while those in flight finish.</summary>
    internal sealed class AcceptingRequestsHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
                ? HealthCheckResult.Unhealthy("Shutting down: finishing the requests in flight.")
                : HealthCheckResult.Healthy("Accepting requests."));
    }
}
