using System.Globalization;
using Microsoft.ML.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli;

/// <summary>Prints ML.NET's multiclass metrics and confusion table to a console.</summary>
internal static class MetricsPrinter
{
    /// <summary>Prints the accuracies, log loss, top-k accuracy, the "Test accuracy" line and the confusion table.</summary>
    public static void Print(TextWriter output, MulticlassClassificationMetrics metrics, long rows, MetricsReport? report = null, bool perClass = false)
    {
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine(string.Format(ci, "Test set: {0:N0} images", rows));
        output.WriteLine(string.Format(ci, "  Micro accuracy:      {0:F4}", metrics.MicroAccuracy));
        output.WriteLine(string.Format(ci, "  Macro accuracy:      {0:F4}", metrics.MacroAccuracy));
        output.WriteLine(string.Format(ci, "  Log loss:            {0:F4}", metrics.LogLoss));
        output.WriteLine(string.Format(ci, "  Log-loss reduction:  {0:F4}", metrics.LogLossReduction));
        if (metrics.TopKPredictionCount > 0)
            output.WriteLine(string.Format(ci, "  Top-{0} accuracy:      {1:F4}", metrics.TopKPredictionCount, metrics.TopKAccuracy));
        if (report?.Calibration is { } calibration)
        {
            string before = calibration.ExpectedCalibrationErrorBeforeScaling is double b && calibration.Temperature is double t && t != 1
                ? string.Format(ci, " (before temperature scaling, T = {0:0.###}: {1:F4})", t, b) : "";
            output.WriteLine(string.Format(ci, "  Calibration error:   {0:F4}{1}", calibration.ExpectedCalibrationError, before));
        }
        output.WriteLine(AccuracyLine(metrics));
        output.WriteLine();
        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable().Trim('\r', '\n'));
        if (perClass && report is not null)
        {
            output.WriteLine();
            output.WriteLine("Class      Precision  Recall     F1         Support");
            foreach (var c in report.PerClass)
                output.WriteLine(string.Format(ci, "{0,-10} {1,-10:F4} {2,-10:F4} {3,-10:F4} {4:N0}", c.ClassName, c.Precision, c.Recall, c.F1, c.Support));
        }
    }

    /// <summary><c>Test accuracy: 99.12%</c>.</summary>
    public static string AccuracyLine(MulticlassClassificationMetrics metrics) =>
        string.Format(CultureInfo.InvariantCulture, "Test accuracy: {0:F2}%", metrics.MicroAccuracy * 100);
}
