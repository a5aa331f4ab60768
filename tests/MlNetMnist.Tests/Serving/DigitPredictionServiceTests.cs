using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Serving;

namespace MlNetMnist.Tests.Serving;

[Collection(ImageModelCollection.Name)]
public class DigitPredictionServiceTests(ImageModelFixture f)
{
    [Fact]
    public void EightThreadsOfFiveThousandPredictionsGiveTheSameResultsAsOneBatchTransform()
    {
        const int rows = 5000, threads = 8;
        var ml = new MLContext(seed: 1);
        var model = ModelFile.Load(ml, f.PixelModelPath, out var schema);
        var batch = model.Transform(MnistData.Load(ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: rows))
            .GetColumn<float[]>("Score").ToList();
        var inputs = Enumerable.Range(0, rows).Select(f.Features).ToArray();

        using var service = new DigitPredictionService(ml, model, schema, new DigitPredictionServiceOptions { MaximumRetainedEngines = 4 });
        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString()), service.ClassNames);
        var results = new DigitPrediction[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var mine = new DigitPrediction[rows];
            // Each thread walks the rows from a different starting point.
            for (int k = 0; k < rows; k++)
            {
                int i = (k + t * rows / threads) % rows;
                mine[i] = service.Predict(inputs[i]);
            }
            results[t] = mine;
        });

        int mismatches = 0;
        double maxDiff = 0;
        for (int t = 0; t < threads; t++)
            for (int i = 0; i < rows; i++)
            {
                var expected = service.ToPrediction(batch[i]);
                var actual = results[t][i];
                if (actual.Label != expected.Label) mismatches++;
                for (int c = 0; c < 10; c++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(actual.Classes[c].Probability - batch[i][c]));
            }
        Assert.Equal(0, mismatches);
        Assert.True(maxDiff <= 1e-6, $"max |service - batch| {maxDiff:E2}");
    }

    [Fact]
    public void ThePoolNeverDisposesTheSharedModel()
    {
        // The in-process TorchSharp model is IDisposable: an engine that owned it would free the network.
        var service = new DigitPredictionService(f.Ml, f.PixelModel, f.Test.Schema, new DigitPredictionServiceOptions { MaximumRetainedEngines = 1 });
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int i = 0; i < 100; i++) service.Predict(f.Features(i));
        });
        service.Dispose();
        Assert.Throws<ObjectDisposedException>(() => service.Predict(f.Features(0)));

        // Surplus engines were dropped and the pool disposed: the model still scores.
        var scores = f.PixelModel.Transform(MnistData.Load(f.Ml, TestData.MnistDirectory, MnistSplit.Test, maxRows: 50)).GetColumn<float[]>("Score").ToList();
        Assert.Equal(50, scores.Count);
    }

    [Fact]
    public void PredictionsBelowTheConfidenceThresholdNeedReview()
    {
        using var strict = DigitPredictionService.Load(f.PixelModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0.999f, TopCount = 5 });
        using var lenient = DigitPredictionService.Load(f.PixelModelPath, new DigitPredictionServiceOptions { ConfidenceThreshold = 0f });
        var strictResults = Enumerable.Range(0, 300).Select(i => strict.Predict(f.Features(i))).ToList();
        Assert.Contains(strictResults, p => p.NeedsReview);
        Assert.Contains(strictResults, p => !p.NeedsReview);
        Assert.All(strictResults, p =>
        {
            // Below the threshold, or flagged by the model's out-of-distribution score.
            Assert.Equal(p.Probability < 0.999f || p.OutOfDistribution, p.NeedsReview);
            Assert.Equal(p.NeedsReview ? "needs review" : "ok", p.Status);
            Assert.Equal(5, p.Top.Count);
            Assert.Equal(p.Label, p.Top[0].Label);
            Assert.True(p.Top.Zip(p.Top.Skip(1), (a, b) => a.Probability >= b.Probability).All(x => x));
            Assert.Equal(1.0, p.Classes.Sum(c => c.Probability), 4);
        });
        // Threshold 0: only the out-of-distribution score can ask for a review.
        Assert.All(Enumerable.Range(0, 50), i =>
        {
            var p = lenient.Predict(f.Features(i));
            Assert.Equal(p.OutOfDistribution, p.NeedsReview);
        });
        Assert.Throws<ArgumentException>(() => strict.Predict(new float[10]));
    }

    [Fact]
    public void TheImageModelServesImageFilesAndPixelsThroughDependencyInjection()
    {
        var services = new ServiceCollection();
        services.AddDigitPredictionService(f.ImageModelPath, o => o.ConfidenceThreshold = 0.6f);
        DigitPredictionService service;
        using (var provider = services.BuildServiceProvider())
        {
            service = provider.GetRequiredService<DigitPredictionService>();
            Assert.Same(service, provider.GetRequiredService<DigitPredictionService>());
            Assert.Equal(0.6f, service.ConfidenceThreshold);
            Assert.Equal((28, 28, 784), (service.Width, service.Height, service.InputSize));
            Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString()), service.ClassNames);

            int correct = Enumerable.Range(0, 100).Count(i => service.PredictImageFile(f.PngPaths[i]).Label == f.TestSet.Labels[i].ToString());
            Assert.True(correct >= 95, $"{correct} of 100 image files");
            var fromBytes = service.PredictImage(File.ReadAllBytes(f.PngPaths[3]));
            Assert.Equal(service.PredictImageFile(f.PngPaths[3]), fromBytes, new PredictionComparer());
            Assert.Equal(f.TestSet.Labels[5].ToString(), service.Predict(f.Features(5)).Label);
            // In-memory images (ML.NET's MLImage) give the same as their files.
            using (var image = MLImage.CreateFromFile(f.PngPaths[7]))
                Assert.Equal(service.PredictImageFile(f.PngPaths[7]), service.PredictImage(image), new PredictionComparer());
        }
        // The container disposed the service (and the model it owns).
        Assert.Throws<ObjectDisposedException>(() => service.Predict(f.Features(0)));
    }

    private sealed class PredictionComparer : IEqualityComparer<DigitPrediction>
    {
        public bool Equals(DigitPrediction? x, DigitPrediction? y) =>
            x!.Label == y!.Label && x.Classes.Select(c => c.Probability).SequenceEqual(y.Classes.Select(c => c.Probability));

        public int GetHashCode(DigitPrediction obj) => obj.Label?.GetHashCode() ?? 0;
    }
}
