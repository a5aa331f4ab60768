using System.Text.Json;

namespace MlNetMnist.Tests.Cli;

[Collection(ImageModelCollection.Name)]
public class RobustnessAndNumberCliTests(ImageModelFixture f)
{
    [Fact]
    public void RobustnessWritesTheSameSuiteForTheSameSeedAndPrintsAccuracyPerVariantForAModelLoadedByMlNetAlone()
    {
        string dir = TestData.NewTempDirectory();
        try
        {
            string first = Path.Combine(dir, "first"), second = Path.Combine(dir, "second"), json = Path.Combine(dir, "robustness.json");
            var write = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--write-only", "--images", first, "--variants", "off-centre-grey,jpeg-q50", "--count", "20");
            Assert.True(write.ExitCode == 0, write.ToString());
            var again = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--write-only", "--images", second, "--variants", "off-centre-grey,jpeg-q50", "--count", "20");
            Assert.True(again.ExitCode == 0, again.ToString());
            foreach (string variant in new[] { "off-centre-grey", "jpeg-q50" })
            {
                var files = Directory.GetFiles(Path.Combine(first, variant)).Select(Path.GetFileName).Order().ToList();
                Assert.Equal(21, files.Count); // 20 images and labels.csv
                foreach (var name in files)
                    Assert.Equal(File.ReadAllBytes(Path.Combine(first, variant, name!)), File.ReadAllBytes(Path.Combine(second, variant, name!)));
            }

            var run = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--model", f.ImageModelPath, "--variants", "off-centre-grey,inverted", "--count", "200", "--json", json);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("loaded and scored by ML.NET alone", run.Output);
            Assert.Contains("| off-centre-grey | 200 |", run.Output);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("machine").GetString()));
            foreach (var variant in document.RootElement.GetProperty("variants").EnumerateArray())
                Assert.True(variant.GetProperty("Accuracy").GetDouble() >= 0.95, variant.ToString());

            var bad = CliRunner.Run("robustness", "--data", TestData.MnistDirectory, "--model", f.ImageModelPath, "--variants", "sideways");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("unknown variant 'sideways'", bad.Error);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void NumbersComposesFromTheValidationSplitWhenAsked()
    {
        string dir = TestData.NewTempDirectory();
        try
        {
            string json = Path.Combine(dir, "numbers.json");
            var run = CliRunner.Run("numbers", "--data", TestData.MnistDirectory, "--model", f.ImageModelPath, "--source", "validation", "--count", "4", "--errors", "4", "--digit-count", "--json", json);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("Digits: validation split (the last 10,000 MNIST training images)", run.Output);
            Assert.Contains("| separated | 4 |", run.Output);
            Assert.Contains("| touching, count given | 4 |", run.Output);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal("validation", document.RootElement.GetProperty("source").GetString());
            Assert.True(document.RootElement.GetProperty("digitCountGiven").GetBoolean());
            Assert.Equal(["separated", "separated, count given", "touching", "touching, count given"],
                document.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("Kind").GetString()));

            var bad = CliRunner.Run("numbers", "--data", TestData.MnistDirectory, "--model", f.ImageModelPath, "--source", "train");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("--source: 'train'; expected test or validation", bad.Error);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ReadNumberPrintsTheDigitsTheirProbabilitiesAndBoxes()
    {
        string dir = TestData.NewTempDirectory();
        try
        {
            // Test digits 1, 2 and 3 (a 2, a 1 and a 0) side by side, dark on white.
            int[] indices = [1, 2, 3];
            int width = 12 * 2 + 3 * 28 + 2 * 8, height = 12 * 2 + 28;
            var gray = Enumerable.Repeat((byte)255, width * height).ToArray();
            for (int k = 0; k < 3; k++)
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                        gray[(12 + y) * width + 12 + k * 36 + x] = (byte)(255 - f.Pixels(indices[k])[y * 28 + x]);
            string path = Path.Combine(dir, "number.png");
            TestImages.Write(path, gray, width, height);
            string expected = string.Concat(indices.Select(i => f.TestSet.Labels[i]));

            var r = CliRunner.Run("read-number", "--model", f.ImageModelPath, "--json", path, Path.Combine(dir, "missing.png"));
            Assert.Equal(1, r.ExitCode);
            using var json = JsonDocument.Parse(r.Output);
            var reading = json.RootElement[0];
            Assert.Equal(expected, reading.GetProperty("text").GetString());
            Assert.Equal(3, reading.GetProperty("digits").GetArrayLength());
            Assert.True(reading.GetProperty("digits")[0].GetProperty("box").GetProperty("x").GetInt32() >= 12);
            Assert.Contains("file not found", json.RootElement[1].GetProperty("error").GetString());

            var text = CliRunner.Run("read-number", "--model", f.ImageModelPath, path);
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.StartsWith($"{path}\t{expected}\t", text.Output);

            var counted = CliRunner.Run("read-number", "--model", f.ImageModelPath, "--digits", "3", path);
            Assert.True(counted.ExitCode == 0, counted.ToString());
            Assert.StartsWith($"{path}\t{expected}\t", counted.Output);
            var zero = CliRunner.Run("read-number", "--model", f.ImageModelPath, "--digits", "0", path);
            Assert.Equal(2, zero.ExitCode);
            Assert.Contains("--digits is 0; expected at least 1", zero.Error);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
