using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// <c>POST /api/predict</c> (one image as the request body), <c>POST /api/predict/batch</c> (several
/// images as multipart/form-data), <c>GET /api/classes</c>. Each takes <c>?model=NAME</c> (default: the
/// default model). Errors are ProblemDetails (RFC 9457) with the status code that says what went wrong.
/// </summary>
public static class PredictionEndpoints
{
    // Any body is read as an image (the decoder recognises the format): "*/*" keeps a request with another or no Content-Type from a 415.
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/bmp", "image/gif", "image/webp", "application/octet-stream", "*/*"];

    /// <summary>Maps the prediction endpoints.</summary>
    public static IEndpointRouteBuilder MapPredictionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Predictions");
        api.MapPost("/predict", PredictAsync)
            .WithName("Predict")
            .WithSummary("Predicts the digit in one image (PNG, JPEG, BMP, ...: the request body).")
            .Accepts<byte[]>(ImageTypes[0], ImageTypes[1..])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/predict/batch", PredictBatchAsync)
            .WithName("PredictBatch")
            .WithSummary("Predicts several images sent as multipart/form-data (one file part per image), all with the same model version.")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/classes", Classes)
            .WithName("Classes")
            .WithSummary("The model's classes, in the order of its scores.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static async Task<Results<Ok<PredictionResponse>, ProblemHttpResult>> PredictAsync(
        HttpRequest request, DigitModelPool pool, IOptions<DigitWebAppOptions> options, string? model, CancellationToken cancellation)
    {
        var (body, bodyRefused) = await ReadImageBodyAsync(request, options.Value, cancellation);
        if (bodyRefused is not null) return bodyRefused;

        if (Rent(pool, model, out var lease) is { } refused) return refused;
        using (lease)
        {
            try
            {
                // The prediction, and what the model saw (the prepared input) for the page to show.
                var prediction = lease!.PredictImage(body, out var input);
                return TypedResults.Ok(PredictionResponse.From(prediction, lease, PreparedInputDto.From(input, lease.Service)));
            }
            catch (InvalidDataException e)
            {
                // Not an image, or truncated or corrupt: refused, never partly decoded and guessed at.
                return Problem(StatusCodes.Status400BadRequest, $"The request body: {e.Message}");
            }
        }
    }

    internal static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> PredictBatchAsync(
        HttpRequest request, DigitModelPool pool, IOptions<DigitWebAppOptions> options, string? model, CancellationToken cancellation)
    {
        var limits = options.Value;
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = limits.MaxBatchBytes;
        if (!request.HasFormContentType)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Send the images as multipart/form-data, one file part per image.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellation);
        }
        catch (BadHttpRequestException e)
        {
            return Problem(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The batch is larger than {limits.MaxBatchBytes:N0} bytes." : e.Message);
        }
        catch (InvalidDataException e)
        {
            // The form reader's own limits (part count, part size, header size).
            return Problem(StatusCodes.Status400BadRequest, $"The multipart form could not be read: {e.Message}");
        }
        var files = form.Files;
        if (files.Count == 0) return Problem(StatusCodes.Status400BadRequest, "The form has no file parts: send one file part per image.");
        if (files.Count > limits.MaxBatchImages)
            return Problem(StatusCodes.Status413PayloadTooLarge, $"{files.Count} images in one batch; at most {limits.MaxBatchImages} are accepted.");

        if (Rent(pool, model, out var lease) is { } refused) return refused;
        using (lease)
        {
            var results = new List<BatchItem>(files.Count);
            foreach (var file in files)
            {
                string name = string.IsNullOrEmpty(file.FileName) ? file.Name : file.FileName;
                if (file.Length > limits.MaxImageBytes)
                {
                    results.Add(new BatchItem(name, null, null, null, null, $"{name}: {file.Length:N0} bytes; images of at most {limits.MaxImageBytes:N0} bytes are accepted."));
                    continue;
                }
                if (file.Length == 0)
                {
                    results.Add(new BatchItem(name, null, null, null, null, $"{name}: the file is empty."));
                    continue;
                }
                var bytes = new byte[file.Length];
                await using (var stream = file.OpenReadStream())
                    await stream.ReadExactlyAsync(bytes, cancellation);
                try
                {
                    var p = lease!.PredictImage(bytes);
                    results.Add(new BatchItem(name, p.Label, p.IsEmpty ? null : p.Probability, p.Status, PredictionResponse.Dto(p.Top), null));
                }
                catch (InvalidDataException e)
                {
                    results.Add(new BatchItem(name, null, null, null, null, $"{name}: {e.Message}"));
                }
            }
            int failed = results.Count(r => r.Error is not null);
            return TypedResults.Ok(new BatchResponse(lease!.ModelName, lease.Version, results.Count - failed, failed, results));
        }
    }

    internal static Results<Ok<IReadOnlyList<string>>, ProblemHttpResult> Classes(DigitModelPool pool, string? model)
    {
        if (Rent(pool, model, out var lease) is { } refused) return refused;
        using (lease) return TypedResults.Ok(lease!.Service.ClassNames);
    }

    /// <summary>A lease on the model, or the problem that says why there is none (unknown name: 404; no name and no default: 400).</summary>
    internal static ProblemHttpResult? Rent(DigitModelPool pool, string? model, out DigitModelLease? lease)
    {
        lease = null;
        try
        {
            lease = pool.Rent(string.IsNullOrWhiteSpace(model) ? null : model);
            return null;
        }
        catch (KeyNotFoundException e)
        {
            return Problem(StatusCodes.Status404NotFound, e.Message);
        }
        catch (InvalidOperationException e) when (pool.DefaultModelName is null && string.IsNullOrWhiteSpace(model))
        {
            return Problem(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    internal static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status);

    /// <summary>
    /// Reads the request body (one encoded image) within <see cref="DigitWebAppOptions.MaxImageBytes"/>:
    /// the bytes, or the problem to answer instead (too large, a broken upload, or no body at all).
    /// </summary>
    internal static async Task<(byte[] Image, ProblemHttpResult? Refused)> ReadImageBodyAsync(HttpRequest request, DigitWebAppOptions limits, CancellationToken cancellation)
    {
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = limits.MaxImageBytes;
        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, cancellation);
        }
        catch (BadHttpRequestException e)
        {
            return ([], Problem(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The image is larger than {limits.MaxImageBytes:N0} bytes." : e.Message));
        }
        return body.Length == 0
            ? ([], Problem(StatusCodes.Status400BadRequest, "Send the image (PNG, JPEG, ...) as the request body."))
            : (body.ToArray(), null);
    }
}
