using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlNetMnist.Serving;

namespace DigitWebApp;

/// <summary>
/// <c>POST /api/read-number</c>: the image (a drawing or a photo of a row of digits) in the body; the
/// digits read, the status, and each digit's label, probability, status and box (in the image's pixels).
/// Takes <c>?model=NAME</c> like the prediction endpoints, and <c>?digits=N</c> when the field's digit count is
/// known (a postal code): touching digits are then read far better. Errors are ProblemDetails.
/// </summary>
public static class NumberEndpoints
{
    /// <summary>The largest digit count <c>?digits=N</c> takes.</summary>
    public const int MaxDigits = 64;

    /// <summary>Maps the number endpoint.</summary>
    public static IEndpointRouteBuilder MapNumberEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").WithTags("Numbers")
            .MapPost("/read-number", ReadNumberAsync)
            .WithName("ReadNumber")
            .WithSummary("Reads a row of handwritten digits (an amount, a postal code) from one image: segments the digits and classifies each.")
            .Accepts<byte[]>("image/png", "image/jpeg", "application/octet-stream", "*/*")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    internal static async Task<Results<Ok<NumberResponse>, ProblemHttpResult>> ReadNumberAsync(
        HttpRequest request, DigitModelPool pool, IOptions<DigitWebAppOptions> options, string? model, int? digits, CancellationToken cancellation)
    {
        if (digits is < 1 or > MaxDigits)
            return PredictionEndpoints.Problem(StatusCodes.Status400BadRequest, $"digits is {digits}; expected a digit count from 1 to {MaxDigits}, or none when the count is not known.");
        var (body, bodyRefused) = await PredictionEndpoints.ReadImageBodyAsync(request, options.Value, cancellation);
        if (bodyRefused is not null) return bodyRefused;

        if (PredictionEndpoints.Rent(pool, model, out var lease) is { } refused) return refused;
        using (lease)
        {
            try
            {
                var reading = lease!.Service.ReadNumber(body, digits);
                return TypedResults.Ok(NumberResponse.From(reading, lease));
            }
            catch (InvalidDataException e)
            {
                return PredictionEndpoints.Problem(StatusCodes.Status400BadRequest, e.Message);
            }
        }
    }
}

/// <summary>The answer of <c>POST /api/read-number</c>.</summary>
/// <param name="Text">The digits read, left to right.</param>
/// <param name="Status"><c>ok</c>, or <c>needs review</c> when any digit is uncertain.</param>
/// <param name="Digits">Each digit: label, probability, status and box.</param>
/// <param name="Model">The model's name.</param>
/// <param name="ModelVersion">The version that answered.</param>
public sealed record NumberResponse(string Text, string Status, IReadOnlyList<NumberDigitDto> Digits, string Model, string ModelVersion)
{
    internal static NumberResponse From(NumberReading reading, DigitModelLease lease) =>
        new(reading.Text, reading.Status, reading.Digits.Select(d => new NumberDigitDto(
                d.Label, d.Probability, d.NeedsReview ? DigitPrediction.NeedsReviewStatus : DigitPrediction.AcceptedStatus, d.Split,
                new BoxDto(d.Box.X, d.Box.Y, d.Box.Width, d.Box.Height))).ToArray(),
            lease.ModelName, lease.Version);
}

/// <summary>One digit of a number.</summary>
/// <param name="Label">The digit read.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Status"><c>ok</c> or <c>needs review</c>.</param>
/// <param name="Split">True when it was split from a wider piece of ink (touching digits).</param>
/// <param name="Box">Where it is, in the image's pixels.</param>
public sealed record NumberDigitDto(string Label, float Probability, string Status, bool Split, BoxDto Box);

/// <summary>A rectangle in the image's pixels.</summary>
/// <param name="X">Left.</param>
/// <param name="Y">Top.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public sealed record BoxDto(int X, int Y, int Width, int Height);
