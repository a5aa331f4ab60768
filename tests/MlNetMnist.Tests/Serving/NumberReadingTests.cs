using Microsoft.ML;
using Microsoft.ML.Data;
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

    private (byte[] Gray, int Width, int Height) Row(int[] indices, int gap)
    {
        int margin = 12, width = 2 * margin + indices.Length * 28 + (indices.Length - 1) * gap, height = 2 * margin + 28;
        var gray = Enumerable.Repeat((byte)255, width * height).ToArray();
        for (int k = 0; k < indices.Length; k++)
        {
            var pixels = f.Pixels(indices[k]);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    gray[(margin + y) * width + margin + k * (28 + gap) + x] = (byte)(255 - pixels[y * 28 + x]);
        }
        return (gray, width, height);
    }
}
