namespace MlNetMnist.Tests.Shared;

/// <summary>
/// One <c>train</c> run of the tool (1 epoch on 2,000 MNIST training images, tested on 1,000) with
/// metrics JSON and ONNX export, shared by the tests of a class.
/// </summary>
public sealed class TrainedCliModelFixture : IDisposable
{
    public TrainedCliModelFixture()
    {
        Directory = TestData.NewTempDirectory("mlnetmnist-cli");
        ModelPath = Path.Combine(Directory, "model.zip");
        MetricsPath = Path.Combine(Directory, "m.json");
        OnnxPath = Path.Combine(Directory, "m.onnx");
        Train = CliRunner.Run("train", "--data", TestData.MnistDirectory, "--model", ModelPath, "--epochs", "1",
            "--max-train-rows", "2000", "--max-test-rows", "1000", "--metrics-json", MetricsPath, "--onnx", OnnxPath);
    }

    public string Directory { get; }

    public string ModelPath { get; }

    public string MetricsPath { get; }

    public string OnnxPath { get; }

    internal CliRunner.Result Train { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
