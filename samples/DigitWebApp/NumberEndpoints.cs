using Microsoft.AspNetCore.Http.Features;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// <c>POST /api/read-number</c>: the image (a drawing or a photo of a row of digits) in the body; the
/// digits read, the status, and each digit's label, probability, status and box (in the image's pixels).
/// </summary>
public static class NumberEndpoints
{
    /// <summary>Maps the number endpoint.</summary>
    public static IEndpointRouteBuilder MapNumberEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/read-number", ReadNumberAsync);
        return app;
    }

    private static async Task<IResult> ReadNumberAsync(HttpRequest request, DigitPredictionService service, CancellationToken cancellation)
    {
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (size is { IsReadOnly: false }) size.MaxRequestBodySize = DigitApp.MaxImageBytes;
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
            var reading = service.ReadNumber(body.ToArray());
            return Results.Json(new
            {
                text = reading.Text,
                status = reading.Status,
                digits = reading.Digits.Select(d => new
                {
                    label = d.Label,
                    probability = d.Probability,
                    status = d.NeedsReview ? DigitPrediction.NeedsReviewStatus : DigitPrediction.AcceptedStatus,
                    split = d.Split,
                    box = new { x = d.Box.X, y = d.Box.Y, width = d.Box.Width, height = d.Box.Height },
                }),
            });
        }
        catch (InvalidDataException e)
        {
            return Results.Problem(e.Message, statusCode: 400);
        }
    }
}
