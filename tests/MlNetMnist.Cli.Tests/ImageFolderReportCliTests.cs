using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Cli;

/// <summary>
/// <c>train --images --report</c> with calibration rows: the model has an out-of-distribution score, but its
/// data are not MNIST digits with digit labels (text labels, image paths), so the report makes no non-digit
/// images and gives the share of evaluated rows flagged at each threshold alone.
/// </summary>
[Collection(ImageModelCollection.Name)]
public class ImageFolderReportCliTests(ImageModelFixture f)
{
    [Fact]
    public void ReportOfAnImageFolderModelGivesTheRowsFlaggedWithoutNonDigits()
    {
        // 3 classes x 350 images: 840 training images (every fifth held out for the test), a quarter of them
        // (210) for calibration, enough for the out-of-distribution thresholds (OutputCalibrator.MinimumRows).
        string root = Path.Combine(f.Directory, "report-words");
        var names = new Dictionary<int, string> { [0] = "zero", [3] = "three", [7] = "seven" };
        foreach (var (digit, name) in names)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (int i in Enumerable.Range(0, f.TestSet.Count).Where(i => f.TestSet.Labels[i] == digit).Take(350))
                File.Copy(f.PngPaths[i], Path.Combine(root, name, $"{i}.png"), overwrite: true);
        }
        string model = Path.Combine(f.Directory, "report-words.zip"), reportDir = Path.Combine(f.Directory, "report-words-report");

        var r = CliRunner.Run("train", "--images", root, "--model", model, "--epochs", "2", "--batch-size", "32", "--validation-fraction", "0.25", "--report", reportDir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Out-of-distribution score at its calibrated threshold: ", r.Output);
        Assert.DoesNotContain("non-digit images caught", r.Output);
        var report = MetricsReport.ReadJson(Path.Combine(reportDir, "report.json"));
        Assert.Equal(["seven", "three", "zero"], report.ClassNames);
        var ood = Assert.IsType<OutOfDistributionTradeOff>(report.OutOfDistribution);
        Assert.Equal(report.TotalCount, ood.DigitRows);
        Assert.Equal(0, ood.NonDigitRows);
        Assert.Null(ood.NonDigitDescription);
        Assert.NotEmpty(ood.Points);
        Assert.All(ood.Points, p => Assert.Null(p.NonDigitsCaught));
        Assert.All(ood.Points, p => Assert.Null(p.TopProbabilityCatch));
        // Lower thresholds flag at least as many rows; the calibrated one (0) is among them, and flags a share counted in whole rows.
        var byThreshold = ood.Points.OrderByDescending(p => p.Threshold).Select(p => p.DigitsFlagged).ToList();
        Assert.Equal(byThreshold.Order(), byThreshold);
        var calibrated = Assert.IsType<OutOfDistributionTradeOffPoint>(ood.Calibrated);
        double flaggedRows = calibrated.DigitsFlagged * ood.DigitRows;
        Assert.Equal(Math.Round(flaggedRows), flaggedRows, 6);

        string html = File.ReadAllText(Path.Combine(reportDir, "report.html"));
        Assert.Contains("id=\"out-of-distribution-table\"", html);
        Assert.Contains("Rows flagged", html);
        Assert.DoesNotContain("Non-digits caught", html);
        Assert.Contains($"Rows: the {ood.DigitRows:N0} evaluated rows (no images known to be out of distribution were given).", html);
        string markdown = File.ReadAllText(Path.Combine(reportDir, "report.md"));
        Assert.Contains("| Score threshold | Rows flagged |", markdown);
    }
}
