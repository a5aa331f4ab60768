using System.Text.Json;
using Microsoft.ML;

namespace MlNetMnist.Tests.Cli;

[Collection(ImageModelCollection.Name)]
public class PredictCommandTests(ImageModelFixture f)
{
    [Fact]
    public void PredictOnTheTenThousandTestPngsAgreesWithTheIdxEvaluation()
    {
        // MNIST-style files scored as they are (--no-centre): exactly what the IDX evaluation scores.
        var r = CliRunner.Run("predict", "--model", f.ImageModelPath, f.PngFolder, "--json", "--no-centre");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Output);
        var results = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(10_000, results.Count);
        double predictAccuracy = results.Average(e =>
            e.GetProperty("label").GetString() == Path.GetFileName(Path.GetDirectoryName(e.GetProperty("path").GetString())) ? 1.0 : 0.0);
        Assert.All(results.Take(20), e => Assert.Equal(3, e.GetProperty("top").GetArrayLength()));

        // The IDX-based evaluation of the same model, as 'evaluate' does it.
        var ml = new MLContext(seed: 1);
        var loaded = ModelFile.Load(ml, f.PixelModelPath, out _);
        double idxAccuracy = ml.MulticlassClassification.Evaluate(loaded.Transform(f.Test)).MicroAccuracy;
        Assert.True(Math.Abs(predictAccuracy - idxAccuracy) <= 0.001, $"predict {predictAccuracy:P2}, IDX evaluation {idxAccuracy:P2}");
        Assert.True(idxAccuracy > 0.97, $"IDX accuracy {idxAccuracy:P2}");
    }

    [Fact]
    public void UnreadableAndMissingFilesAreReportedPerFileAndTheOthersArePredicted()
    {
        string dir = Path.Combine(f.Directory, "mixed");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.Copy(f.PngPaths[0], Path.Combine(dir, "a.png"));
        File.Copy(f.PngPaths[1], Path.Combine(dir, "sub", "b.png"));
        File.WriteAllText(Path.Combine(dir, "broken.png"), "this is not a PNG");
        File.WriteAllBytes(Path.Combine(dir, "empty.jpg"), []);
        File.WriteAllText(Path.Combine(dir, "readme.txt"), "not searched: no image extension");
        string text = Path.Combine(f.Directory, "notes.txt");
        File.WriteAllText(text, "given explicitly, so it is tried");
        string missing = Path.Combine(f.Directory, "missing.png");

        var r = CliRunner.Run("predict", "--model", f.PixelModelPath, dir, missing, text, f.PngPaths[2], "--threshold", "0.5");

        Assert.True(r.ExitCode == 1, r.ToString());
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        var fields = lines.Select(l => l.Split('\t')).ToList();
        Assert.Equal(new[] { Path.Combine(dir, "a.png"), Path.Combine(dir, "sub", "b.png"), f.PngPaths[2] }, fields.Select(x => x[0]));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(f.TestSet.Labels[i].ToString(), fields[i][1]);
            Assert.InRange(double.Parse(fields[i][2], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
            Assert.StartsWith($"top: {fields[i][1]} ", fields[i][3]);
            Assert.Equal(3, fields[i][3].Split(',').Length);
            Assert.Equal("ok", fields[i][4]);
        }
        Assert.Contains("broken.png: not an image", r.Error);
        Assert.Contains("empty.jpg: the file is empty", r.Error);
        Assert.Contains("missing.png: file not found", r.Error);
        Assert.Contains("notes.txt: not an image", r.Error);
        Assert.DoesNotContain("readme.txt", r.Error);
        Assert.Contains("4 of 7 files could not be predicted", r.Error);
    }

    [Fact]
    public void TruncatedPngAndJpegAreRefusedNamingTheFileAndBlankImagesAreEmpty()
    {
        string dir = Path.Combine(f.Directory, "no-digit");
        Directory.CreateDirectory(dir);
        string png = Path.Combine(dir, "cut.png"), jpeg = Path.Combine(dir, "cut.jpg"), blank = Path.Combine(dir, "blank.png");
        File.WriteAllBytes(png, TestImages.Truncated(SkiaSharp.SKEncodedImageFormat.Png));
        File.WriteAllBytes(jpeg, TestImages.Truncated(SkiaSharp.SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(blank, TestImages.Blanks()[1].Bytes);

        var r = CliRunner.Run("predict", "--model", f.ImageModelPath, png, jpeg, blank, f.PngPaths[0]);

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"error: {png}: the image is incomplete", r.Error);
        Assert.Contains($"error: {jpeg}: the image is incomplete", r.Error);
        Assert.Contains("2 of 4 files could not be predicted", r.Error);
        var lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split('\t')).ToList();
        Assert.Equal(new[] { blank, "-", "-", "-", "empty" }, lines[0]);
        Assert.Equal(f.TestSet.Labels[0].ToString(), lines[1][1]);

        var json = CliRunner.Run("predict", "--model", f.ImageModelPath, blank, "--json");
        using var document = JsonDocument.Parse(json.Output);
        var only = document.RootElement.EnumerateArray().Single();
        Assert.Equal("empty", only.GetProperty("status").GetString());
        Assert.False(only.TryGetProperty("label", out _));
    }

    [Fact]
    public void TrainingOnAnImageFolderWithATruncatedImageStopsWhenAskedNamingIt()
    {
        string root = Path.Combine(f.Directory, "folder-with-cut");
        for (int i = 0; i < 20; i++)
        {
            string folder = Path.Combine(root, f.TestSet.Labels[i].ToString());
            Directory.CreateDirectory(folder);
            File.Copy(f.PngPaths[i], Path.Combine(folder, $"{i}.png"), overwrite: true);
        }
        string cut = Path.Combine(root, f.TestSet.Labels[0].ToString(), "cut.png");
        File.WriteAllBytes(cut, TestImages.Truncated(SkiaSharp.SKEncodedImageFormat.Png));

        var r = CliRunner.Run("train", "--images", root, "--model", Path.Combine(root, "model.zip"), "--stop-on-unreadable");

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains($"{cut}: the image is incomplete", r.Error);
        Assert.False(File.Exists(Path.Combine(root, "model.zip")));
    }

    [Fact]
    public void CentringReadsASmallOffCentreDarkOnLightDigitWithThePixelModel()
    {
        // Test digit 0 drawn small (14x14) in the corner of a white 100x100 image.
        var small = TestImages.Scale(TestImages.Invert(f.Pixels(0)), 28, 28, 14);
        var canvas = Enumerable.Repeat((byte)255, 100 * 100).ToArray();
        for (int y = 0; y < 14; y++)
            for (int x = 0; x < 14; x++)
                canvas[(5 + y) * 100 + 70 + x] = small[y * 14 + x];
        string path = Path.Combine(f.Directory, "corner.png");
        TestImages.Write(path, canvas, 100, 100);

        // Centring is the default, for the pixel model (C#) as for the image model (its saved chain).
        foreach (string model in new[] { f.PixelModelPath, f.ImageModelPath })
        {
            var r = CliRunner.Run("predict", "--model", model, "--json", path);
            Assert.True(r.ExitCode == 0, r.ToString());
            using var json = JsonDocument.Parse(r.Output);
            Assert.Equal(f.TestSet.Labels[0].ToString(), json.RootElement[0].GetProperty("label").GetString());
        }
    }

    [Fact]
    public void TrainOnAnImageFolderWithTextLabelsThenPredictTheLabels()
    {
        string root = Path.Combine(f.Directory, "cli-words");
        var names = new Dictionary<int, string> { [1] = "one", [4] = "four", [8] = "eight" };
        foreach (var (digit, name) in names)
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (int i in Enumerable.Range(0, f.TestSet.Count).Where(i => f.TestSet.Labels[i] == digit).Take(100))
                File.Copy(f.PngPaths[i], Path.Combine(root, name, $"{i}.png"));
        }
        string model = Path.Combine(f.Directory, "cli-words.zip");

        string onnx = Path.Combine(f.Directory, "cli-words.onnx");
        var train = CliRunner.Run("train", "--images", root, "--model", model, "--epochs", "3", "--batch-size", "32", "--onnx", onnx);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("3 classes: eight, four, one", train.Output);
        Assert.Contains("240 training images, 60 test images", train.Output);
        // A model with image input exports the standalone graph with the centring in front: image planes in.
        Assert.Contains("image input 'Image': [N, 4, 128, 128]", train.Output);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx))
        {
            Assert.Equal(new[] { -1, 4, 128, 128 }, session.InputMetadata["Image"].Dimensions);
            Assert.Equal("eight\nfour\none", session.ModelMetadata.CustomMetadataMap["class_names"]);
        }

        var ml = new MLContext();
        ml.Model.Load(model, out var schema);
        Assert.NotNull(schema.GetColumnOrNull("ImagePath"));

        var fours = Enumerable.Range(0, f.TestSet.Count).Where(i => f.TestSet.Labels[i] == 4).Skip(100).Take(10).Select(i => f.PngPaths[i]).ToArray();
        var predict = CliRunner.Run(["predict", "--model", model, .. fours]);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var labels = predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1]).ToList();
        Assert.True(labels.Count(l => l == "four") >= 8, predict.Output);

        var both = CliRunner.Run("train", "--images", root, "--data", TestData.MnistDirectory, "--model", model);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Error);
        var neither = CliRunner.Run("train", "--model", model);
        Assert.Equal(2, neither.ExitCode);
    }
}
