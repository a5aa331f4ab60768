using DigitWebApp;
using MlNetMnist.Data;

namespace MlNetMnist.Samples.Tests;

/// <summary>
/// The model the web app trains when it has none (its own <see cref="ModelBootstrap"/>, here on the
/// first 10,000 MNIST training images to keep the tests short), and the MNIST test split.
/// </summary>
public sealed class SampleModelFixture : IDisposable
{
    public SampleModelFixture()
    {
        Directory = SampleData.NewTempDirectory("mlnetmnist-samples");
        ModelPath = Path.Combine(Directory, "model.zip");
        ModelBootstrap.TrainAndSave(ModelPath, SampleData.MnistDirectory, TextWriter.Null, rows: 10_000);
        Test = MnistData.LoadSet(SampleData.MnistDirectory, MnistSplit.Test, maxRows: 200);
        _second = new Lazy<string>(() =>
        {
            string path = Path.Combine(Directory, "model-b.zip");
            ModelBootstrap.TrainAndSave(path, SampleData.MnistDirectory, TextWriter.Null, rows: 3_000);
            return path;
        });
    }

    private readonly Lazy<string> _second;

    /// <summary>A second, different model (3,000 training images), trained on first use: the new version in the reload tests.</summary>
    public string SecondModelPath => _second.Value;

    public string Directory { get; }

    public string ModelPath { get; }

    public MnistSet Test { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SampleModelCollection : ICollectionFixture<SampleModelFixture>
{
    public const string Name = "Samples model";
}
