using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Cli;

/// <summary>The <c>report</c> command and <c>train --report</c>.</summary>
[Collection(ReportCollection.Name)]
public sealed class ReportCliTests(MnistReportFixture f) : IDisposable
{
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-report-cli");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ReportWritesEveryFileForASavedModel()
    {
        string outDir = Path.Combine(_dir, "out");
        var r = CliRunner.Run("report", "--model", f.ModelPath, "--data", TestData.MnistDirectory, "--out", outDir, "--max-test-rows", "500");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Error);
        Assert.Contains("Report: accuracy ", r.Output);
        Assert.Contains("report.html", r.Output);
        Assert.Equal(
            new[] { "confusion-matrix.csv", "confusion-matrix.png", "confusions.csv", "per-class.csv", "report.html", "report.json", "report.md" },
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        var report = MetricsReport.ReadJson(Path.Combine(outDir, "report.json"));
        Assert.Equal(500, report.TotalCount);
        Assert.Equal(f.Report.ClassNames, report.ClassNames); // from the label's key values
        Assert.Equal(5, report.TopKPredictionCount);
        Assert.Equal(ImageShape.Mnist, report.ImageShape);
        Assert.Null(report.Training);
        Assert.NotEmpty(report.Misclassified);
        // Sample images are the first training images, with their digits.
        Assert.Equal(f.TrainSet.Labels.Take(40).Select(l => l.ToString()), report.SampleImages.Select(s => s.Label));
        var metadata = report.Metadata!;
        Assert.StartsWith("MNIST test report: model.zip", metadata.Title);
        Assert.Contains(new MetadataEntry("Model file", Path.GetFullPath(f.ModelPath)), metadata.Model);
        Assert.Contains(new MetadataEntry("Input shape", "1x28x28"), metadata.Model);
        Assert.Contains(metadata.Data, e => e.Name == "Evaluated on" && e.Value.Contains("500 images"));
        // The model has an out-of-distribution score: the report makes 1,000 non-digit images from the test digits for its trade-off.
        Assert.Contains("Out-of-distribution score at its calibrated threshold: ", r.Output);
        var ood = Assert.IsType<OutOfDistributionTradeOff>(report.OutOfDistribution);
        Assert.Equal((500L, 1000L), (ood.DigitRows, ood.NonDigitRows));
        Assert.Contains("1,000 images made from the first 500 evaluated digits", ood.NonDigitDescription);
        Assert.True(ood.Calibrated!.NonDigitsCaught > ood.Calibrated.DigitsFlagged, $"caught {ood.Calibrated.NonDigitsCaught:P1}, flagged {ood.Calibrated.DigitsFlagged:P1}");
        Assert.Contains("id=\"out-of-distribution-table\"", File.ReadAllText(Path.Combine(outDir, "report.html")));

        // The same numbers as 'evaluate' on the same rows.
        string json = Path.Combine(_dir, "eval.json");
        var evaluate = CliRunner.Run("evaluate", "--model", f.ModelPath, "--data", TestData.MnistDirectory, "--max-test-rows", "500", "--metrics-json", json);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        var evaluated = MetricsReport.ReadJson(json);
        Assert.Equal(evaluated.ConfusionMatrix, report.ConfusionMatrix);
        Assert.Equal(evaluated.PerClass, report.PerClass);
        Assert.Equal(evaluated.MicroAccuracy, report.MicroAccuracy);
    }

    [Fact]
    public void TrainWithReportWritesTheReportWithTrainingCurves()
    {
        string model = Path.Combine(_dir, "model.zip");
        string reportDir = Path.Combine(_dir, "report");
        var r = CliRunner.Run("train", "--data", TestData.MnistDirectory, "--model", model, "--epochs", "1", "--max-train-rows", "1000",
            "--max-test-rows", "300", "--validation-fraction", "0.1", "--report", reportDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Test accuracy:", r.Output);
        Assert.Contains("training-curves.png", r.Output);
        Assert.True(File.Exists(Path.Combine(reportDir, "training-curves.png")));

        var report = MetricsReport.ReadJson(Path.Combine(reportDir, "report.json"));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), report.ClassNames); // keys by value in 'train'
        Assert.Equal(300, report.TotalCount);
        var epoch = Assert.Single(report.Training!.Epochs);
        Assert.NotNull(epoch.ValidationAccuracy);
        Assert.Equal("MNIST training report", report.Metadata!.Title);
        Assert.Contains(new MetadataEntry("Epochs", "1"), report.Metadata.Model);
        Assert.Contains(report.Metadata.Data, e => e.Name == "Trained on" && e.Value.Contains("1,000 images"));
        string html = File.ReadAllText(Path.Combine(reportDir, "report.html"));
        Assert.Contains("id=\"training-curves\"", html);
        Assert.Contains("Test accuracy: " + (report.MicroAccuracy * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%", r.Output);
    }

    [Fact]
    public void ReportRefusesBadArguments()
    {
        var noOut = CliRunner.Run("report", "--model", f.ModelPath, "--data", TestData.MnistDirectory);
        Assert.Equal(2, noOut.ExitCode);
        Assert.Contains("--out", noOut.Error);

        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");
        var outIsFile = CliRunner.Run("report", "--model", f.ModelPath, "--data", TestData.MnistDirectory, "--out", file);
        Assert.Equal(2, outIsFile.ExitCode);
        Assert.Contains("is a file", outIsFile.Error);

        var trainReportIsFile = CliRunner.Run("train", "--data", TestData.MnistDirectory, "--model", Path.Combine(_dir, "m.zip"), "--report", file);
        Assert.Equal(2, trainReportIsFile.ExitCode);
        Assert.Contains("--report", trainReportIsFile.Error);

        var missingModel = CliRunner.Run("report", "--model", Path.Combine(_dir, "missing.zip"), "--data", TestData.MnistDirectory, "--out", Path.Combine(_dir, "o"));
        Assert.Equal(1, missingModel.ExitCode);
        Assert.Contains("missing.zip", missingModel.Error);
        Assert.DoesNotContain("   at ", missingModel.Error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "o")));

        var help = CliRunner.Run("--help");
        Assert.Contains("report", help.Output);
        var reportHelp = CliRunner.Run("report", "--help");
        Assert.Equal(0, reportHelp.ExitCode);
        foreach (var option in new[] { "--model", "--data", "--out", "--max-test-rows" }) Assert.Contains(option, reportHelp.Output);
        Assert.Contains("--report", CliRunner.Run("train", "--help").Output);
    }
}
