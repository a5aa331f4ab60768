using System.Globalization;
using System.Text.Json;
using MlNetMnist.Serving;

namespace MlNetMnist.Cli;

/// <summary>
/// Prints <c>predict</c> results: text lines (<c>path, label, probability, top classes</c>, tab-separated;
/// errors as <c>error:</c> lines on the error output) or one JSON array with an object per file.
/// </summary>
internal sealed class PredictResultWriter(CliConsole console, bool json, bool showStatus)
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
        string top = string.Join(", ", p.Top.Select(c => string.Format(ci, "{0} {1:F4}", c.Label, c.Probability)));
        string line = string.Format(ci, "{0}\t{1}\t{2:F4}\ttop: {3}", result.Path, p.Label, p.Probability, top);
        if (showStatus) line += "\t" + p.Status;
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
                if (result.Prediction is { } p)
                {
                    writer.WriteString("label", p.Label);
                    writer.WriteNumber("probability", p.Probability);
                    if (showStatus) writer.WriteString("status", p.Status);
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
