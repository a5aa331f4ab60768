using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

[Collection(ImageModelCollection.Name)]
public class NumberReadingTests(ImageModelFixture f)
{
    [Fact]
    public void RowsOfSeparatedTestDigitsAreReadAsNumbersWithABoxPerDigit()
    {
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var random = new Random(7);
        int exact = 0;
        const int numbers = 20;
        for (int n = 0; n < numbers; n++)
        {
            var indices = Enumerable.Range(0, random.Next(3, 7)).Select(_ => random.Next(1000, 10_000)).ToArray();
            string truth = string.Concat(indices.Select(i => f.TestSet.Labels[i]));
            var (gray, width, height) = Row(indices, gap: random.Next(4, 12));
            var reading = service.ReadNumber(TestImages.Encode(gray, width, height));
            if (reading.Text == truth) exact++;
            Assert.Equal(reading.Text, string.Concat(reading.Digits.Select(d => d.Label)));
            Assert.Equal(reading.Digits.OrderBy(d => d.Box.X), reading.Digits);
            Assert.Equal(reading.Digits.Count == 0 || reading.Digits.Any(d => d.NeedsReview), reading.NeedsReview);
        }
        Assert.True(exact >= 18, $"{exact} of {numbers} numbers read exactly");
    }

    [Fact]
    public void AnImageWithoutInkNeedsReviewAndHasNoDigits()
    {
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var reading = service.ReadNumber(TestImages.Encode(Enumerable.Repeat((byte)240, 100 * 40).ToArray(), 100, 40));
        Assert.Equal("", reading.Text);
        Assert.True(reading.NeedsReview);
        Assert.Equal(DigitPrediction.NeedsReviewStatus, reading.Status);
    }

    [Fact]
    public void TheServiceSeesWhatMlNetAloneSeesForTheSameFiles()
    {
        // Off-centre, larger, inverted, JPEG variants: the service (its pooled engines over the model's own
        // image chain) and ml.Model.Load + image paths give the same scores.
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        Assert.True(service.PreparesWithModel);
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.Load(f.ImageModelPath, out _);
        var files = f.Variants.Value.Values.SelectMany(v => v.Take(10)).ToList();
        var rows = ml.Data.LoadFromEnumerable(files.Select(v => new ImageModelFixture.PathRow { ImagePath = v.Path }));
        var scores = loaded.Transform(rows).GetColumn<float[]>("Score").ToList();
        for (int i = 0; i < files.Count; i++)
        {
            var prediction = service.PredictImageFile(files[i].Path);
            double diff = prediction.Classes.Select((c, k) => Math.Abs(c.Probability - scores[i][k])).Max();
            Assert.True(diff <= 1e-5, $"{files[i].Path}: max |service - ML.NET| {diff:E2}");
            Assert.Equal(784, service.PrepareImageFile(files[i].Path).Length);
        }
    }

    [Fact]
    public void ADigitBrokenIntoTwoPiecesIsReadAsOneDigit()
    {
        // Test digits whose stroke end breaks off: two columns of ink erased leave a short piece on the
        // right, its own component beside the digit (no columns in common, so not merged by shape).
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var broken = Enumerable.Range(1000, 2000).Select(i => (Index: i, Cut: BreakOff(f.Pixels(i)))).Where(b => b.Cut >= 0).Take(4).ToList();
        Assert.Equal(4, broken.Count);
        int right = 0, shapeOnlyWrong = 0;
        foreach (var (index, cut) in broken)
        {
            int[] indices = [1001, index, 1003];
            var (gray, width, height) = Row(indices, gap: 10, erase: (1, cut));
            var reading = service.ReadNumber(TestImages.Encode(gray, width, height));
            Assert.Equal(3, reading.Digits.Count);
            if (reading.Text == string.Concat(indices.Select(i => f.TestSet.Labels[i]))) right++;
            // Segmenting by shape alone (no classifier) takes the piece for a digit of its own.
            if (DigitSegmenter.Segment(new GrayImage(width, height, gray.Select(b => (float)b).ToArray())).Count != 3) shapeOnlyWrong++;
        }
        Assert.True(right >= 3, $"{right} of {broken.Count} read right");
        Assert.True(shapeOnlyWrong >= 1, "the broken digits are not a test of the recognition-driven segmentation");
    }

    [Fact]
    public void TwoTouchingDigitsAreCutIntoTwoAndFlaggedForReview()
    {
        // Two zeros (test images 3 and 10) pushed into each other until their strokes run together: one component.
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var (gray, width, height) = Row([3, 10], gap: -12);
        var reading = service.ReadNumber(TestImages.Encode(gray, width, height));
        Assert.Equal("00", reading.Text);
        Assert.All(reading.Digits, d => Assert.True(d.Split));
        Assert.True(reading.NeedsReview);
    }

    [Fact]
    public void TouchingPairsAreReadFarBetterWhenTheDigitCountIsGiven()
    {
        // Pairs of test digits pushed 16 pixels into each other (their boxes overlap by more than half):
        // read freely, many come out as one digit; with the count given, as two.
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var random = new Random(11);
        int free = 0, counted = 0;
        const int pairs = 30;
        for (int n = 0; n < pairs; n++)
        {
            int[] indices = [random.Next(1000, 10_000), random.Next(1000, 10_000)];
            string truth = string.Concat(indices.Select(i => f.TestSet.Labels[i]));
            var (gray, width, height) = Row(indices, gap: -16);
            byte[] png = TestImages.Encode(gray, width, height);
            if (service.ReadNumber(png).Text == truth) free++;
            var reading = service.ReadNumber(png, digitCount: 2);
            Assert.Equal(2, reading.Digits.Count);
            Assert.Equal(reading.Digits.OrderBy(d => d.Box.X), reading.Digits);
            if (reading.Text == truth) counted++;
        }
        Assert.True(counted >= free + 6 && counted >= 20, $"{counted} of {pairs} pairs read with the count given, {free} without");
    }

    [Fact]
    public void ACountTheImageCannotHoldGivesTheFreeReadingMarkedForReview()
    {
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        int[] indices = [1, 2, 3];
        var (gray, width, height) = Row(indices, gap: 10);
        byte[] png = TestImages.Encode(gray, width, height);
        string truth = string.Concat(indices.Select(i => f.TestSet.Labels[i]));
        var free = service.ReadNumber(png);
        Assert.Equal(truth, free.Text);
        Assert.Equal(truth, service.ReadNumber(png, digitCount: 3).Text);
        // Three separate digits are neither two (none is a small piece to merge) nor ten (at most three per piece of ink).
        foreach (int impossible in new[] { 2, 10 })
        {
            var reading = service.ReadNumber(png, digitCount: impossible);
            Assert.Equal(free.Text, reading.Text);
            Assert.True(reading.NeedsReview, $"count {impossible}");
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => service.ReadNumber(png, digitCount: 0));
        Assert.Contains("expected at least 1", e.Message);
    }

    [Fact]
    public void ReadingTheSameImageTwiceGivesTheSameReading()
    {
        using var service = DigitPredictionService.Load(f.ImageModelPath);
        var (gray, width, height) = Row([3, 10, 21, 5], gap: -10);
        byte[] png = TestImages.Encode(gray, width, height);
        var first = service.ReadNumber(png);
        var second = service.ReadNumber(png);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.NeedsReview, second.NeedsReview);
        Assert.Equal(first.Digits.Select(d => (d.Box, d.Split, d.Label, d.Probability)), second.Digits.Select(d => (d.Box, d.Split, d.Label, d.Probability)));
    }

    /// <summary>
    /// The column at which erasing two columns of the digit's ink leaves, on the right, a short piece of
    /// stroke (under 40% of the digit's height, at least 10 pixels of ink), or -1 when there is none.
    /// </summary>
    private static int BreakOff(ReadOnlySpan<byte> pixels)
    {
        int top = 28, bottom = -1;
        for (int i = 0; i < 784; i++)
            if (pixels[i] > 50) { top = Math.Min(top, i / 28); bottom = Math.Max(bottom, i / 28); }
        int digitHeight = bottom - top + 1;
        for (int cut = 24; cut >= 8; cut--)
        {
            int pieceTop = 28, pieceBottom = -1, ink = 0;
            for (int y = 0; y < 28; y++)
                for (int x = cut + 2; x < 28; x++)
                    if (pixels[y * 28 + x] > 50) { pieceTop = Math.Min(pieceTop, y); pieceBottom = Math.Max(pieceBottom, y); ink++; }
            if (ink < 10) continue;
            return pieceBottom - pieceTop + 1 < 0.4 * digitHeight ? cut : -1;
        }
        return -1;
    }

    private (byte[] Gray, int Width, int Height) Row(int[] indices, int gap, (int Digit, int Column)? erase = null)
    {
        int margin = 12, width = 2 * margin + indices.Length * 28 + (indices.Length - 1) * gap, height = 2 * margin + 28;
        var gray = Enumerable.Repeat((byte)255, width * height).ToArray();
        for (int k = 0; k < indices.Length; k++)
        {
            var pixels = f.Pixels(indices[k]);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    if (erase is { } e && e.Digit == k && (x == e.Column || x == e.Column + 1)) continue;
                    int i = (margin + y) * width + margin + k * (28 + gap) + x;
                    gray[i] = Math.Min(gray[i], (byte)(255 - pixels[y * 28 + x])); // overlapping tiles: the darker ink
                }
        }
        return (gray, width, height);
    }
}
