using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Cli;

/// <summary>Scores the MNIST test split with a model, prints the metrics and optionally writes them as JSON.</summary>
internal static class TestSetEvaluation
{
    /// <summary>The k of the top-k accuracy reported (ML.NET's examples use 5).</summary>
    public const int TopK = 5;

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="test"/>, prints the result and writes <paramref name="metricsJson"/> when given.</summary>
    public static MetricsReport Run(MLContext ml, ITransformer model, IDataView test, string? metricsJson, CliConsole console, bool verbose)
    {
        // A model loaded from a file scores without class names; put them back so the confusion table is labelled right.
        var scored = ClassNames.WithScoreSlotNames(model.Transform(test));
        // ML.NET's evaluator fails when k exceeds the number of classes (a small image set may have 2 or 3).
        int classes = scored.Schema["Score"].Type is VectorDataViewType { Size: > 0 } score ? score.Size : TopK;
        var metrics = ml.MulticlassClassification.Evaluate(scored, topKPredictionCount: Math.Min(TopK, classes));
        var report = MetricsReport.Create(metrics, scored.Schema);
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
