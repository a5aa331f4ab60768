using System.Globalization;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>Prints benchmark summaries as a Markdown table (readable in a terminal, pasteable in a README).</summary>
internal static class BenchTable
{
    public static void Write(TextWriter output, IReadOnlyList<BenchSummary> summaries, int runs)
    {
        var ci = CultureInfo.InvariantCulture;
        output.WriteLine($"Medians of {runs} run(s) per configuration; [min-max] where it varies.");
        output.WriteLine();
        output.WriteLine("| config | train s | s to 99% | test acc | train img/s | score img/s | loaded score img/s | p50 ms | p99 ms | peak RSS MB |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var s in summaries)
        {
            string Range(string key, string format, double scale = 1) =>
                s.Spread.TryGetValue(key, out var r) && r[0] != r[1]
                    ? string.Format(ci, " [{0}-{1}]", (r[0] * scale).ToString(format, ci), (r[1] * scale).ToString(format, ci))
                    : "";
            output.WriteLine(string.Format(ci, "| {0} | {1:F1}{2} | {3} | {4:F2}%{5} | {6:N0} | {7:N0} | {8:N0} | {9:F3} | {10:F3} | {11:N0} |",
                s.Name,
                s.TrainSeconds, Range("train_seconds", "F1"),
                s.SecondsTo99 is double t ? t.ToString("F1", ci) : "not reached",
                s.TestAccuracy * 100, Range("test_accuracy", "F2", 100),
                s.TrainImagesPerSecond, s.ScoreImagesPerSecond, s.LoadedScoreImagesPerSecond,
                s.LatencyP50Ms, s.LatencyP99Ms, s.PeakRssMb));
        }
        output.WriteLine();
        foreach (var s in summaries) output.WriteLine($"- {s.Name}: {s.Description}");
    }
}
