using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli;

/// <summary>Scores the test split with a model (<see cref="ModelEvaluation"/>), prints the metrics and optionally writes them as JSON.</summary>
internal static class TestSetEvaluation
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="test"/>, prints the result and writes <paramref name="metricsJson"/> when given.</summary>
    /// <remarks><paramref name="temperature"/>: the model's temperature (from a model file's metadata) to also report the calibration error before scaling.</remarks>
    public static MetricsReport Run(MLContext ml, ITransformer model, IDataView test, string? metricsJson, CliConsole console, bool verbose, double? temperature = null)
    {
        var (metrics, report) = ModelEvaluation.Evaluate(ml, model, test, temperatureOfModel: temperature);
        console.Out.WriteLine();
        MetricsPrinter.Print(console.Out, metrics, (long)Math.Round(report.TotalCount), report, perClass: verbose);
        if (metricsJson is not null)
        {
            report.WriteJson(metricsJson);
            console.Out.WriteLine($"Metrics written to {Path.GetFullPath(metricsJson)}");
        }
        return report;
    }

    /// <summary>Loads the test split (or its first rows).</summary>
    public static IDataView LoadTest(MLContext ml, string dataDirectory, int? maxRows) =>
        MnistData.Load(ml, dataDirectory, MnistSplit.Test, maxRows);
}
