
namespace MlNetMnist.Tests.Cli;

/// <summary>
/// The bad-input matrix of the command-line tool (the library's is in MlNetMnist.TorchSharp.Tests,
/// Reliability/BadInputTests): every case names the input, the tool prints one <c>error:</c> line
/// naming it and what was expected, and writes nothing.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BadInputCliTests : IDisposable
{
    private readonly ReliabilityModelFixture _f;
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-badinput-cli");

    public BadInputCliTests(ReliabilityModelFixture fixture) => _f = fixture;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> CliCases => new(new[]
    {
        "missing data folder", "truncated .gz in the data folder", "label outside the class range", "image/label count mismatch",
        "model file not a zip", "model file truncated", "epochs 0", "negative learning rate", "batch size larger than the data",
        "resume without a checkpoint", "outlier exposure without validation rows",
    });

    [Theory]
    [MemberData(nameof(CliCases))]
    public void TheCliPrintsOneErrorLineWithoutStackTraceAndWritesNothing(string name)
    {
        string data = Path.Combine(_dir, "data");
        string model = Path.Combine(_dir, "model.zip");
        string metrics = Path.Combine(_dir, "metrics.json");
        string[] Train(params string[] extra) => ["train", "--data", data, "--no-download", "--model", model, "--metrics-json", metrics, .. extra];
        string[] args;
        int exitCode = 1;
        string[] expected;
        switch (name)
        {
            case "missing data folder":
                (args, expected) = (Train(), [data]);
                break;
            case "truncated .gz in the data folder":
                string images = SyntheticMnist(data, images: gz => gz[..(gz.Length / 2)]);
                (args, expected) = (Train(), [$"{images}: truncated or corrupt gzip stream"]);
                break;
            case "label outside the class range":
                string labels = SyntheticMnist(data, labels: [0, 1, 2, 3, 14, 5, 6, 7, 8, 9]);
                (args, expected) = (Train(), [$"{labels}: label 14 at index 4 is outside 0..9"]);
                break;
            case "image/label count mismatch":
                string nine = SyntheticMnist(data, labels: [0, 1, 2, 3, 4, 5, 6, 7, 8]);
                (args, expected) = (Train(), [$"10 images, but {nine} has 9 labels; expected one label per image"]);
                break;
            case "model file not a zip":
                string text = IdxTestFiles.Write(_dir, "text.zip", "text"u8.ToArray());
                (args, expected) = (["evaluate", "--data", TestData.MnistDirectory, "--model", text], [$"{text}: not a zip archive"]);
                break;
            case "model file truncated":
                string truncated = Truncated(_f.ModelPath);
                (args, expected) = (["evaluate", "--data", TestData.MnistDirectory, "--model", truncated], [$"{truncated}: not a readable ML.NET model"]);
                break;
            case "epochs 0":
                (args, exitCode, expected) = ([.. Train(), "--epochs", "0"], 2, ["--epochs: TorchCnnOptions.Epochs is 0; expected at least 1."]);
                break;
            case "negative learning rate":
                (args, exitCode, expected) = ([.. Train(), "--learning-rate", "-0.1"], 2, ["--learning-rate: TorchCnnOptions.LearningRate is -0.1; expected a positive number no larger than 10"]);
                break;
            case "batch size larger than the data":
                SyntheticMnist(data);
                (args, expected) = (Train("--batch-size", "500"), ["TorchCnnOptions.BatchSize is 500, larger than the 10 training rows."]);
                break;
            case "resume without a checkpoint":
                SyntheticMnist(data);
                (args, expected) = (Train("--resume"), [$"{model}.checkpoint: no checkpoint to resume from"]);
                break;
            case "outlier exposure without validation rows":
                SyntheticMnist(data);
                (args, exitCode, expected) = (Train("--outlier-exposure"), 2, ["--outlier-exposure: the out-of-distribution score it trains for is calibrated on held-out training rows; add --validation-fraction"]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case");
        }
        var c = (Args: args, ExitCode: exitCode, Expected: expected);
        var before = Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order().ToArray();

        var r = CliRunner.Run(c.Args);
        Assert.True(r.ExitCode == c.ExitCode, r.ToString());
        Assert.StartsWith("error: ", r.Error);
        Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (string part in c.Expected) Assert.Contains(part, r.Error);
        Assert.DoesNotContain("   at ", r.Error);
        Assert.DoesNotContain("Exception", r.Error);
        // Nothing written: no model, no metrics, no checkpoint, no temporary file.
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order());

        var verbose = CliRunner.Run([.. c.Args, "--verbose"]);
        Assert.Equal(c.ExitCode, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
    }

    /// <summary>A data folder with 10 training and 5 test images of 28x28; the training files can be spoiled. Returns the path of the training images (or labels).</summary>
    private static string SyntheticMnist(string folder, Func<byte[], byte[]>? images = null, byte[]? labels = null)
    {
        Directory.CreateDirectory(folder);
        byte[] trainImages = IdxTestFiles.Gzip(IdxTestFiles.Images(10, 28, 28));
        string trainImagesPath = IdxTestFiles.Write(folder, "train-images-idx3-ubyte.gz", images?.Invoke(trainImages) ?? trainImages);
        IdxTestFiles.Write(folder, "train-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(labels ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
        IdxTestFiles.Write(folder, "t10k-images-idx3-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Images(5, 28, 28)));
        IdxTestFiles.Write(folder, "t10k-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(0, 1, 2, 3, 4)));
        return labels is null ? trainImagesPath : Path.Combine(folder, "train-labels-idx1-ubyte.gz");
    }

    private string Truncated(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return IdxTestFiles.Write(_dir, "truncated.zip", bytes[..(bytes.Length / 2)]);
    }
}
