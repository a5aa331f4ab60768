using MlNetMnist.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Tests.Images;

public class DigitSegmenterTests
{
    private static readonly MnistSet Test = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 50);

    [Fact]
    public void SeparatedDigitsAreFoundLeftToRightWithTheirBoxes()
    {
        int[] digits = [0, 1, 2, 3, 4];
        var (gray, width, height, lefts) = Row(digits, gap: 8);
        var segments = DigitSegmenter.Segment(new GrayImage(width, height, gray));
        Assert.Equal(digits.Length, segments.Count);
        for (int k = 0; k < digits.Length; k++)
        {
            var s = segments[k];
            Assert.False(s.Split);
            // The box lies inside the digit's 28x28 tile.
            Assert.InRange(s.X, lefts[k], lefts[k] + 27);
            Assert.InRange(s.X + s.Width - 1, lefts[k], lefts[k] + 27);
            Assert.InRange(s.Height, 10, 28);
            // The crop is the digit alone, dark on white with a margin.
            Assert.True(s.Crop.Width > s.Width && s.Crop.Height > s.Height);
            Assert.Equal(255f, s.Crop[0, 0]);
            Assert.True(s.Crop.Values.Min() < 100f);
        }
    }

    [Fact]
    public void DigitsPushedIntoEachOtherAreCutAndMarkedAsSplit()
    {
        // Three zeros (test images 3, 10 and 13) whose tiles overlap by 14 pixels, so their strokes run into
        // each other: one component more than twice as wide as it is tall (two touching zeros alone are
        // about 1.5 digit heights wide, the most one digit may be, and stay whole).
        var (gray, width, height, _) = Row([3, 10, 13], gap: -14);
        var segments = DigitSegmenter.Segment(new GrayImage(width, height, gray));
        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        Assert.Contains(segments, s => s.Split);
        Assert.Equal(segments.OrderBy(s => s.X), segments);
    }

    [Fact]
    public void ABlankImageHasNoDigits() =>
        Assert.Empty(DigitSegmenter.Segment(new GrayImage(80, 30, Enumerable.Repeat(230f, 80 * 30).ToArray())));

    /// <summary>Test digits side by side (their 28x28 tiles <paramref name="gap"/> apart), dark on white; ink is combined by the darker value.</summary>
    private static (float[] Gray, int Width, int Height, int[] Lefts) Row(int[] indices, int gap)
    {
        int margin = 10, width = 2 * margin + indices.Length * 28 + (indices.Length - 1) * gap, height = 2 * margin + 28;
        var gray = Enumerable.Repeat(255f, width * height).ToArray();
        var lefts = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            lefts[k] = margin + k * (28 + gap);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int i = (margin + y) * width + lefts[k] + x;
                    gray[i] = Math.Min(gray[i], 255f - Test.Pixels[indices[k] * 784 + y * 28 + x]);
                }
        }
        return (gray, width, height, lefts);
    }
}
