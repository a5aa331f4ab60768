using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli;

/// <summary>Writes scored rows as CSV: index, label, predicted label, then every class probability.</summary>
internal static class PredictionsCsv
{
    public static void Write(MLContext ml, IDataView scored, string path)
    {
        // The pipeline's Label is still a key here; write its value (the digit), not the key index.
        if (scored.Schema["Label"].Type is KeyDataViewType)
            scored = ml.Transforms.Conversion.MapKeyToValue("LabelValue", "Label").Fit(scored).Transform(scored);
        else
            scored = ml.Transforms.CopyColumns("LabelValue", "Label").Fit(scored).Transform(scored);
        var rows = ml.Data.CreateEnumerable<Row>(scored, reuseRowObject: false);
        var culture = CultureInfo.InvariantCulture;
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            bool header = false;
            int index = 0;
            foreach (var row in rows)
            {
                if (!header)
                {
                    writer.WriteLine("index,label,predicted," + string.Join(",", Enumerable.Range(0, row.Score.Length).Select(i => $"score{i}")));
                    header = true;
                }
                writer.WriteLine(string.Join(",", new[] { index++.ToString(culture), row.Label.ToString(culture), row.PredictedLabel.ToString(culture) }
                    .Concat(row.Score.Select(s => s.ToString("R", culture)))));
            }
        });
    }

    private sealed class Row
    {
        [ColumnName("LabelValue")]
        public uint Label { get; set; }

        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
