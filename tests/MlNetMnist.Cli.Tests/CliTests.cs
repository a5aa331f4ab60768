using System.Text.RegularExpressions;
using MlNetMnist.Onnx;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Cli;

[Collection(MlNetMnist.Tests.Shared.TrainingCollection.Name)]
public sealed class CliTests : IClassFixture<TrainedCliModelFixture>, IDisposable
{
    private static readonly Regex AccuracyLine = new(@"^Test accuracy: (\d+\.\d\d)%$", RegexOptions.Multiline);

    private readonly TrainedCliModelFixture _f;
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-cli-errors");

    public CliTests(TrainedCliModelFixture fixture) => _f = fixture;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Accuracy(CliRunner.Result result)
    {
        var match = AccuracyLine.Match(result.Output);
        Assert.True(match.Success, $"no 'Test accuracy' line in:\n{result}");
        return match.Groups[1].Value;
    }

    private static void AssertNoStackTrace(CliRunner.Result result)
    {
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Fact]
    public void TrainPrintsProgressMetricsAndTheConfusionTable()
    {
        var r = _f.Train;
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Error);
        Assert.Matches(@"(?m)^epoch 1/1  loss \d", r.Output);
        Assert.Contains("2,000 training images, 1,000 test images", r.Output);
        Assert.Contains("Micro accuracy:", r.Output);
        Assert.Contains("Macro accuracy:", r.Output);
        Assert.Contains("Log loss:", r.Output);
        Assert.Contains("Log-loss reduction:", r.Output);
        Assert.Contains("Top-5 accuracy:", r.Output);
        Assert.Contains("Confusion table", r.Output);
        Assert.Contains("PREDICTED ||     0 |     1 |     2 |", r.Output); // keys in digit order
        Assert.True(double.Parse(Accuracy(r), System.Globalization.CultureInfo.InvariantCulture) > 50, r.Output);
    }

    [Fact]
    public void TrainWritesTheModelTheMetricsJsonAndTheOnnxModel()
    {
        Assert.True(_f.Train.ExitCode == 0, _f.Train.ToString());
        Assert.True(File.Exists(_f.ModelPath));
        Assert.Equal(new[] { "m.json", "m.onnx", "model.zip" }, Directory.GetFiles(_f.Directory).Select(Path.GetFileName).Order());

        var report = MetricsReport.ReadJson(_f.MetricsPath);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), report.ClassNames);
        Assert.Equal(1000, report.TotalCount);
        Assert.Equal(5, report.TopKPredictionCount);
        Assert.Equal(Accuracy(_f.Train), (report.MicroAccuracy * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));

        var info = OnnxModelInfo.Read(File.ReadAllBytes(_f.OnnxPath));
        Assert.Equal(string.Join("\n", report.ClassNames), info.Metadata["class_names"]);
    }

    [Fact]
    public void EvaluateOfTheSavedModelPrintsTheSameAccuracy()
    {
        Assert.True(_f.Train.ExitCode == 0, _f.Train.ToString());
        string json = Path.Combine(_dir, "eval.json");
        var r = CliRunner.Run("evaluate", "--data", TestData.MnistDirectory, "--model", _f.ModelPath, "--max-test-rows", "1000", "--metrics-json", json);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Accuracy(_f.Train), Accuracy(r));
        Assert.Contains("Micro accuracy:", r.Output);
        Assert.Contains("PREDICTED ||     0 |     1 |     2 |", r.Output);

        var trained = MetricsReport.ReadJson(_f.MetricsPath);
        var evaluated = MetricsReport.ReadJson(json);
        Assert.Equal(trained.ClassNames, evaluated.ClassNames);
        Assert.Equal(trained.MicroAccuracy, evaluated.MicroAccuracy);
        Assert.Equal(trained.ConfusionMatrix, evaluated.ConfusionMatrix);
        Assert.Equal(trained.LogLoss, evaluated.LogLoss, 4);
    }

    [Fact]
    public void EvaluateWithAMissingDataFolderFailsNamingIt()
    {
        string missing = Path.Combine(_dir, "no-such-folder");
        var r = CliRunner.Run("evaluate", "--data", missing, "--model", _f.ModelPath);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: ", r.Error);
        Assert.Contains(missing, r.Error);
        Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        AssertNoStackTrace(r);
    }

    [Fact]
    public void TrainWithoutDownloadAndAMissingDataFolderFailsNamingIt()
    {
        string missing = Path.Combine(_dir, "no-such-folder");
        var r = CliRunner.Run("train", "--data", missing, "--no-download", "--model", Path.Combine(_dir, "model.zip"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(missing, r.Error);
        AssertNoStackTrace(r);
        Assert.False(File.Exists(Path.Combine(_dir, "model.zip")));
    }

    [Fact]
    public void TrainWhoseDownloadFailsReportsTheFileAndFolder()
    {
        string missing = Path.Combine(_dir, "empty-data");
        // Nothing listens on the discard port of the loopback address: the connection is refused at once.
        var r = CliRunner.Run("train", "--data", missing, "--mirror", "http://127.0.0.1:9/", "--model", Path.Combine(_dir, "model.zip"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("downloading", r.Output);
        Assert.Contains(Path.Combine(missing, "train-images-idx3-ubyte.gz"), r.Error);
        AssertNoStackTrace(r);
    }

    [Fact]
    public void EvaluateOfAFileThatIsNotAModelFailsNamingIt()
    {
        string model = Path.Combine(_dir, "model.zip");
        File.WriteAllText(model, "not a model");
        var r = CliRunner.Run("evaluate", "--data", TestData.MnistDirectory, "--model", model);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(model, r.Error);
        AssertNoStackTrace(r);

        var missing = CliRunner.Run("evaluate", "--data", TestData.MnistDirectory, "--model", Path.Combine(_dir, "missing.zip"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains(Path.Combine(_dir, "missing.zip"), missing.Error);
    }

    [Fact]
    public void ZeroEpochsIsAUsageErrorNamingEpochsAndLeavesTheExistingModelUntouched()
    {
        string model = Path.Combine(_dir, "model.zip");
        File.Copy(_f.ModelPath, model);
        byte[] before = File.ReadAllBytes(model);

        var r = CliRunner.Run("train", "--data", TestData.MnistDirectory, "--model", model, "--epochs", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Epochs", r.Error);
        Assert.Contains("--epochs", r.Error);
        AssertNoStackTrace(r);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.Equal(new[] { "model.zip" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ATrainingThatFailsLeavesTheExistingModelUntouched()
    {
        string model = Path.Combine(_dir, "model.zip");
        File.Copy(_f.ModelPath, model);
        byte[] before = File.ReadAllBytes(model);

        // The trainer refuses a batch larger than the training set, after the data is loaded.
        var r = CliRunner.Run("train", "--data", TestData.MnistDirectory, "--model", model, "--max-train-rows", "100", "--max-test-rows", "10", "--batch-size", "500");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("BatchSize", r.Error);
        AssertNoStackTrace(r);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.Equal(new[] { "model.zip" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var r = CliRunner.Run("evaluate", "--data", Path.Combine(_dir, "nothing"), "--model", _f.ModelPath, "--verbose");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: ", r.Error);
        Assert.Contains("DirectoryNotFoundException", r.Error);
        Assert.Contains("   at ", r.Error);
    }

    [Theory]
    [InlineData("train", "--data", "x")] // --model missing
    [InlineData("train", "--data", "x", "--model", "m.zip", "--network", "resnet")]
    [InlineData("train", "--data", "x", "--model", "m.zip", "--epochs", "many")]
    [InlineData("evaluate", "--data", "x", "--model", "m.zip", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData]
    public void BadCommandLinesAreUsageErrors(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Error);
        Assert.Contains("--help", r.Error);
        AssertNoStackTrace(r);
    }

    [Theory]
    [InlineData("--learning-rate", "0", "LearningRate")]
    [InlineData("--validation-fraction", "1.5", "ValidationFraction")]
    [InlineData("--batch-size", "0", "BatchSize")]
    [InlineData("--threads", "0", "Threads")]
    [InlineData("--max-train-rows", "0", "--max-train-rows")]
    public void OutOfRangeValuesAreUsageErrorsNamingTheOption(string option, string value, string named)
    {
        var r = CliRunner.Run("train", "--data", Path.Combine(_dir, "nothing"), "--model", Path.Combine(_dir, "m.zip"), option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, r.Error);
        Assert.Contains(option, r.Error);
        Assert.False(Directory.Exists(Path.Combine(_dir, "nothing")), "a bad option must fail before anything is downloaded");
    }

    [Fact]
    public void HelpListsTheCommandsAndOptions()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var command in new[] { "download", "train", "evaluate" }) Assert.Contains(command, r.Output);

        var train = CliRunner.Run("train", "--help");
        Assert.Equal(0, train.ExitCode);
        foreach (var option in new[] { "--epochs", "--network", "--optimizer", "--schedule", "--device", "--metrics-json", "--onnx", "--max-train-rows", $"(default {new TorchCnnOptions().Epochs})" })
            Assert.Contains(option, train.Output);
    }

    [Fact]
    public void DownloadWithAllFilesPresentDownloadsNothing()
    {
        var r = CliRunner.Run("download", "--data", TestData.MnistDirectory);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(4, Regex.Matches(r.Output, "present at").Count);
    }
}
