using System.Globalization;
using Microsoft.ML;
using MlNetMnist.Calibration;

namespace MlNetMnist.Reports;

/// <summary>Computes a <see cref="CalibrationReport"/> from scored data, and finds the temperature a model was calibrated with.</summary>
internal static class CalibrationReader
{
    /// <summary>Reads the label and score of every row of <paramref name="scored"/> and bins their top probabilities.</summary>
    public static CalibrationReport Read(IDataView scored, string labelColumnName, string scoreColumnName, int classCount, double? temperature)
    {
        var label = scored.Schema[labelColumnName];
        var score = scored.Schema[scoreColumnName];
        var scores = new List<float>();
        var labels = new List<int>();
        using var cursor = scored.GetRowCursor([label, score]);
        var classIndex = ColumnReaders.ClassIndex(cursor, label, classCount);
        var read = ColumnReaders.Scores(cursor, score, classCount);
        while (cursor.MoveNext())
        {
            labels.Add(classIndex());
            scores.AddRange(read());
        }
        return CalibrationReport.Compute(scores.ToArray(), classCount, labels.ToArray(), temperature: temperature);
    }

    /// <summary>
    /// The temperature: given, else the <c>Temperature</c> entry of the classifier's description, else of
    /// the report's model metadata (a model file's ONNX metadata); null when none says.
    /// </summary>
    public static double? Temperature(double? given, IImageClassifierModel? classifier, ReportMetadata? metadata)
    {
        if (given is not null) return given;
        foreach (var entries in new[] { classifier?.Describe(), metadata?.Model })
        {
            var entry = entries?.FirstOrDefault(e => e.Name == "Temperature");
            if (entry is not null && double.TryParse(entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t > 0) return t;
        }
        return null;
    }
}
