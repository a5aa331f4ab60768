using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Images;
using SkiaSharp;

namespace MlNetMnist.Tests.Images;

/// <summary>A truncated PNG or JPEG is refused everywhere an image is decoded, naming the file and what is wrong; never partly decoded.</summary>
public class TruncatedImageTests
{
    public static TheoryData<string> Formats => new() { "png", "jpg" };

    private static SKEncodedImageFormat Format(string extension) => extension == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;

    [Theory]
    [MemberData(nameof(Formats))]
    public void DecodingATruncatedImageFailsSayingItIsIncomplete(string extension)
    {
        byte[] truncated = TestImages.Truncated(Format(extension));

        var e = Assert.Throws<InvalidDataException>(() => DigitImages.Decode(truncated));
        Assert.Contains("the image is incomplete", e.Message);
        Assert.Contains("IncompleteInput", e.Message);
        Assert.Throws<InvalidDataException>(() => new DigitImagePreprocessor().Process(truncated));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void LoadingATruncatedImageFileNamesTheFile(string extension)
    {
        string dir = TestData.NewTempDirectory("mlnetmnist-truncated");
        try
        {
            string path = Path.Combine(dir, "cut." + extension);
            File.WriteAllBytes(path, TestImages.Truncated(Format(extension)));
            var e = Assert.Throws<InvalidDataException>(() => DigitImages.Load(path));
            Assert.StartsWith($"{path}: the image is incomplete", e.Message);
            e = Assert.Throws<InvalidDataException>(() => new DigitImagePreprocessor().ProcessFile(path));
            Assert.StartsWith($"{path}: the image is incomplete", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ImageFolderTrainingSkipsAndListsTruncatedImagesOrStopsOnThem()
    {
        string root = TestData.NewTempDirectory("mlnetmnist-truncated-folder");
        try
        {
            var set = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 40);
            for (int i = 0; i < set.Count; i++)
            {
                string folder = Path.Combine(root, set.Labels[i].ToString());
                Directory.CreateDirectory(folder);
                TestImages.Write(Path.Combine(folder, $"{i:D3}.png"), set.Pixels.AsSpan(i * 784, 784), 28, 28);
            }
            string cutPng = Path.Combine(root, "7", "cut.png"), cutJpeg = Path.Combine(root, "7", "cut.jpg");
            File.WriteAllBytes(cutPng, TestImages.Truncated(SKEncodedImageFormat.Png));
            File.WriteAllBytes(cutJpeg, TestImages.Truncated(SKEncodedImageFormat.Jpeg));
            var ml = new MLContext(seed: 1);

            var split = ImageFolderData.LoadTrainTest(ml, root);
            Assert.Equal(2, split.Skipped.Count);
            Assert.Contains(split.Skipped, s => s.StartsWith($"{cutPng}: the image is incomplete", StringComparison.Ordinal));
            Assert.Contains(split.Skipped, s => s.StartsWith($"{cutJpeg}: the image is incomplete", StringComparison.Ordinal));
            Assert.Equal(40, split.TrainCount + split.TestCount);
            Assert.Equal(40, (split.Train.GetRowCount() ?? 0) + (split.Test.GetRowCount() ?? 0));

            var e = Assert.Throws<InvalidDataException>(() => ImageFolderData.LoadTrainTest(ml, root, unreadable: UnreadableImages.Stop));
            Assert.Contains("cannot be read", e.Message);
            Assert.Contains("cut.", e.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
