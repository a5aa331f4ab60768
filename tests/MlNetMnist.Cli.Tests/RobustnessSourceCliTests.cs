using MlNetMnist.Data;

namespace MlNetMnist.Tests.Cli;

public class RobustnessSourceCliTests
{
    [Fact]
    public void SourceValidationMakesTheSuiteFromTheLastTenThousandTrainingDigits()
    {
        string dir = TestData.NewTempDirectory();
        try
        {
            var write = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--source", "validation", "--write-only", "--images", dir, "--variants", "mnist", "--count", "30");
            Assert.True(write.ExitCode == 0, write.ToString());
            Assert.Contains("held-out training digits", write.Output);
            var train = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train);
            var labels = File.ReadAllLines(Path.Combine(dir, "mnist", "labels.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(train.Labels.Skip(train.Count - 10_000).Take(30).Select(b => (int)b), labels);

            var bad = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--source", "holdout", "--write-only", "--images", dir);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("expected test or validation", bad.Error);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
