using System.Globalization;
using System.Text.Json;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli;

/// <summary>
/// Prints <c>predict</c> results: text lines (<c>path, label, probability, top classes, status</c>,
/// tab-separated; an empty image has <c>-</c> for label, probability and top classes and the status
/// <c>empty</c>; errors as <c>error:</c> lines on the error output) or one JSON array with an object per
/// file (an empty image has <c>"status": "empty"</c> and no label).
/// </summary>
internal sealed class PredictResultWriter(CliConsole console, bool json)
{
    private readonly List<ImageFilePrediction> _results = [];

    public void Write(ImageFilePrediction result)
    {
        if (json)
        {
            _results.Add(result);
            return;
        }
        if (result.Prediction is not { } p)
        {
            console.Error.WriteLine($"error: {result.Error}");
            return;
        }
        var ci = CultureInfo.InvariantCulture;
        if (p.IsEmpty)
        {
            console.Out.WriteLine($"{result.Path}\t-\t-\t-\t{p.Status}");
            return;
        }
        string top = string.Join(", ", p.Top.Select(c => string.Format(ci, "{0} {1:F4}", c.Label, c.Probability)));
        string line = string.Format(ci, "{0}\t{1}\t{2:F4}\ttop: {3}\t{4}", result.Path, p.Label, p.Probability, top, p.Status);
        if (p.OutOfDistribution) line += " (not like a digit)";
        console.Out.WriteLine(line);
    }

    public void Finish()
    {
        if (!json) return;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var result in _results)
            {
                writer.WriteStartObject();
                writer.WriteString("path", result.Path);
                if (result.Prediction is { IsEmpty: true } empty)
                {
                    writer.WriteString("status", empty.Status);
                }
                else if (result.Prediction is { } p)
                {
                    writer.WriteString("label", p.Label);
                    writer.WriteNumber("probability", p.Probability);
                    writer.WriteString("status", p.Status);
                    if (p.OutOfDistributionScore is float ood)
                    {
                        writer.WriteBoolean("outOfDistribution", p.OutOfDistribution);
                        writer.WriteNumber("outOfDistributionScore", ood);
                    }
                    writer.WriteStartArray("top");
                    foreach (var c in p.Top)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("label", c.Label);
                        writer.WriteNumber("probability", c.Probability);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteString("error", result.Error);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
