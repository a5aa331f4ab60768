using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetMnist.OnnxConsumer.Tests;

/// <summary>
/// A model.zip trained by the MlNetMnist command-line app (in another process) is loaded here with
/// ML.NET alone and scores the 10,000 MNIST test images exactly like the library did.
/// </summary>
public class ConsumerTests
{
    [Fact]
    public void ModelZipLoadsAndScoresTheSameWithoutTorchSharpOrTheLibrary() => AssertLoadsAndScoresLikeTheLibrary();

    /// <summary>
    /// An ensemble of three networks (train --ensemble 3) is one ONNX graph inside model.zip: ML.NET
    /// alone loads it like a single network and gets the library's averaged probabilities.
    /// </summary>
    [Fact]
    public void EnsembleModelZipLoadsAndScoresTheSameWithoutTorchSharpOrTheLibrary()
    {
        string modelPath = AssertLoadsAndScoresLikeTheLibrary("--ensemble", "3");
        using var zip = ZipFile.OpenRead(modelPath);
        var onnx = zip.Entries.Where(e => e.Name == "OnnxModel").ToList();
        Assert.Single(onnx);
        using var reader = new StreamReader(onnx[0].Open(), System.Text.Encoding.Latin1);
        string bytes = reader.ReadToEnd();
        // The metadata of the one graph says it holds the three members (seeds 1, 2, 3).
        Assert.Contains("ensemble_members", bytes);
        Assert.Contains("1,2,3", bytes);
        Directory.Delete(Path.GetDirectoryName(modelPath)!, true);
    }

    /// <summary>Trains with the CLI (extra arguments appended), loads model.zip with ML.NET alone and compares every test prediction; returns the model path.</summary>
    private static string AssertLoadsAndScoresLikeTheLibrary(params string[] extraArgs)
    {
        // Nothing of TorchSharp or MlNetMnist is loaded in this process.
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "TorchSharp" or "MlNetMnist");
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "MlNetMnist.dll")));

        string work = Path.Combine(Path.GetTempPath(), $"mlnetmnist-consumer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        string modelPath = Path.Combine(work, "model.zip");
        string predictionsPath = Path.Combine(work, "predictions.csv");
        RunCli(["train", "--data", MnistDirectory(), "--model", modelPath, "--epochs", "2", "--max-train-rows", "3000",
            "--predictions", predictionsPath, .. extraArgs]);

        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Features"));
        var test = ml.Data.LoadFromEnumerable(ReadTestImages(), SchemaWith784());
        var scored = ml.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: false).ToList();

        var expected = File.ReadLines(predictionsPath).Skip(1).Select(ParsePrediction).ToList();
        Assert.Equal(10_000, expected.Count);
        Assert.Equal(10_000, scored.Count);
        double maxDiff = 0;
        for (int i = 0; i < scored.Count; i++)
        {
            Assert.Equal(expected[i].Label, scored[i].PredictedLabel);
            for (int c = 0; c < 10; c++)
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[i].Scores[c] - scored[i].Score[c]));
        }
        Assert.True(maxDiff <= 1e-5, $"max |score difference| {maxDiff:E2}");

        // The saved pipeline starts with MapValueToKey("Label"), so the scored Label is already a key.
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        double accuracy = scored.Zip(ReadTestImages(), (p, t) => p.PredictedLabel == t.Label ? 1.0 : 0.0).Average();
        Assert.Equal(accuracy, metrics.MicroAccuracy, 12);
        Assert.True(accuracy > 0.85, $"accuracy {accuracy:P2}");

        // The class names travel inside the ONNX graph (ML.NET's own slot-name node), so the loaded
        // model's Score has slot names and the confusion table is labelled with the digits.
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        model.GetOutputSchema(schema)["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), slotNames.DenseValues().Select(n => n.ToString()));
        Assert.StartsWith("\nConfusion table", metrics.ConfusionMatrix.GetFormattedConfusionTable().Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        if (extraArgs.Length == 0) Directory.Delete(work, true);
        return modelPath;
    }

    private static (uint Label, float[] Scores) ParsePrediction(string line)
    {
        var parts = line.Split(',');
        // index,label,predicted,score0..score9 (scores in key order of the model's Score column)
        return (uint.Parse(parts[2]), parts.Skip(3).Select(s => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>Runs the CLI (built next to the solution, not referenced) and asserts that it succeeded.</summary>
    internal static void RunCli(params string[] args)
    {
        string cli = typeof(ConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliAssembly").Value!;
        Assert.True(File.Exists(cli), $"{cli} is missing; build src/MlNetMnist.Cli first");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"CLI exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}");
    }

    internal static string MnistDirectoryForTests() => MnistDirectory();

    private static string MnistDirectory()
    {
        var env = Environment.GetEnvironmentVariable("MNIST_DATA_DIR");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMnist.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "mnist"));
        throw new InvalidOperationException("MlNetMnist.sln not found");
    }

    /// <summary>Reads t10k-images with a few lines of code of its own (IDX: 16-byte header, then pixels).</summary>
    private static IEnumerable<ImageRow> ReadTestImages()
    {
        byte[] images = ReadGz(Path.Combine(MnistDirectory(), "t10k-images-idx3-ubyte.gz"));
        byte[] labels = ReadGz(Path.Combine(MnistDirectory(), "t10k-labels-idx1-ubyte.gz"));
        for (int i = 0; i < 10_000; i++)
            yield return new ImageRow
            {
                Label = labels[8 + i],
                Features = images.AsSpan(16 + i * 784, 784).ToArray().Select(b => (float)b).ToArray(),
            };
    }

    private static byte[] ReadGz(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }

    private static SchemaDefinition SchemaWith784()
    {
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 784);
        return schema;
    }

    private sealed class ImageRow
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class Prediction
    {
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
