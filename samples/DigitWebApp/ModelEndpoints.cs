using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary><c>GET /api/models</c>: the models served, their versions and the state of their files.</summary>
public static class ModelEndpoints
{
    /// <summary>Maps the model endpoints.</summary>
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/models", (DigitModelPool pool) => TypedResults.Ok(pool.ModelNames.Select(name =>
            {
                var info = pool.GetModelInfo(name);
                return new ModelInfoDto(info.Name, string.Equals(name, pool.DefaultModelName, StringComparison.OrdinalIgnoreCase), info.IsLoaded, info.Version,
                    info.Generation, info.LoadedAt, info.LastReloadError);
            }).ToArray()))
            .WithTags("Models")
            .WithName("Models")
            .WithSummary("The models served: name, version (SHA-256 prefix of model.zip), generation, load time, last refused reload.");
        return app;
    }
}
