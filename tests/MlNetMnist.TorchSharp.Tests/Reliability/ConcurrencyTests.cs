using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;
using static MlNetMnist.Tests.Shared.ReliabilityModelFixture;

namespace MlNetMnist.Tests.Reliability;

/// <summary>One trained model used from 8 threads at once gives what it gives on one thread, bit for bit.</summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ConcurrencyTests(ReliabilityModelFixture fixture, ITestOutputHelper log)
{
    private const int Threads = 8;
    private const int SingleRows = 64;
    private readonly ReliabilityModelFixture _f = fixture;

    [Fact]
    public void TransformAndSingleRowPredictionFromEightThreadsMatchSingleThreadedResults()
    {
        var model = _f.Model;
        var expectedBatch = Scores(model.Transform(_f.RawTest));
        var expectedSingle = PredictRows(model);
        var expectedDirect = _f.TestImages.Take(SingleRows).Select(r => model.Predict(r.Features)).ToArray();

        var batch = new float[Threads][][];
        var single = new float[Threads][][];
        var direct = new float[Threads][][];
        using var start = new Barrier(Threads);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                // Interleave the three ways of scoring differently on each thread.
                for (int round = 0; round < 3; round++)
                {
                    switch ((t + round) % 3)
                    {
                        case 0: batch[t] = Scores(model.Transform(_f.RawTest)); break;
                        case 1: single[t] = PredictRows(model); break;
                        default: direct[t] = _f.TestImages.Take(SingleRows).Select(r => model.Predict(r.Features)).ToArray(); break;
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        Assert.Empty(errors);

        for (int t = 0; t < Threads; t++)
        {
            AssertSame(expectedBatch, batch[t], $"Transform on thread {t}");
            AssertSame(expectedSingle, single[t], $"PredictionEngine on thread {t}");
            AssertSame(expectedDirect, direct[t], $"Predict on thread {t}");
        }
        log.WriteLine($"{Threads} threads x (Transform of {expectedBatch.Length} rows + {SingleRows} PredictionEngine rows + {SingleRows} Predict calls): identical to one thread.");
    }

    private float[][] PredictRows(TorchCnnTransformer model)
    {
        using var engine = _f.Ml.Model.CreatePredictionEngine<ImageRow, ScoreRow>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return _f.TestImages.Take(SingleRows).Select(r => engine.Predict(r).Score.ToArray()).ToArray();
    }

    private static float[][] Scores(IDataView scored) => scored.GetColumn<float[]>("Score").ToArray();

    private static void AssertSame(float[][] expected, float[][] actual, string what)
    {
        Assert.True(actual is not null, $"{what}: no result");
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i].SequenceEqual(actual[i]), $"{what}: row {i} differs");
    }
}
