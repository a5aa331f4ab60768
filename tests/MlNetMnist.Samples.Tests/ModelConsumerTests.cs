using System.Diagnostics;
using System.Reflection;

namespace MlNetMnist.Samples.Tests;

[Collection(SampleModelCollection.Name)]
public class ModelConsumerTests(SampleModelFixture f)
{
    [Fact]
    public async Task TheConsumerPredictsImageFilesWithMlNetAloneAndShipsNoTorchSharp()
    {
        string consumer = typeof(ModelConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ModelConsumerAssembly").Value!;
        Assert.True(File.Exists(consumer), $"{consumer} is missing; build samples/ModelConsumer first");
        string output = Path.GetDirectoryName(consumer)!;
        Assert.False(File.Exists(Path.Combine(output, "TorchSharp.dll")));
        Assert.False(File.Exists(Path.Combine(output, "MlNetMnist.dll")));
        Assert.Empty(Directory.EnumerateFiles(output, "libtorch*", SearchOption.AllDirectories));

        // 60 test digits: as they are, black on white, and enlarged to 140x140.
        string dir = Path.Combine(f.Directory, "consumer-images");
        Directory.CreateDirectory(dir);
        var expected = new Dictionary<string, string>();
        for (int i = 0; i < 20; i++)
        {
            var pixels = f.Test.Pixels.AsSpan(i * 784, 784).ToArray();
            var inverted = pixels.Select(v => (byte)(255 - v)).ToArray();
            Write($"{i:D2}-plain.png", pixels, 28);
            Write($"{i:D2}-inverted.png", inverted, 28);
            Write($"{i:D2}-large.png", SampleData.Enlarge(pixels, 28, 28, 5), 140);

            void Write(string name, byte[] gray, int size)
            {
                string path = Path.Combine(dir, name);
                File.WriteAllBytes(path, SampleData.Png(gray, size, size));
                expected[path] = f.Test.Labels[i].ToString();
            }
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { consumer, f.ModelPath, dir }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string stdout = await stdoutTask, stderr = await stderrTask;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(60, lines.Count);
        int correct = lines.Count(l => expected[l[0]] == l[1]);
        Assert.True(correct >= 57, $"{correct} of 60 correct\n{stdout}");
    }
}
