using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace MlNetMnist.Tests;

public class OnnxRuntimeThreadsTests(SmallMnistModelFixture f) : IClassFixture<SmallMnistModelFixture>
{
    [Fact]
    public void ThreadCountIsSetOnTheContextAndOtherSessionOptionsAreKept()
    {
        var ml = new MLContext();
        Assert.Null(ml.GetOnnxThreads());
        ml.SetOnnxSessionOption(new OnnxSessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC });

        ml.SetOnnxThreads(3);

        Assert.Equal(3, ml.GetOnnxThreads());
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_BASIC, ml.GetOnnxSessionOption().GraphOptimizationLevel);
        ml.SetOnnxThreads(null);
        Assert.Null(ml.GetOnnxThreads());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.SetOnnxThreads(0));
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void LoadingAModelCreatesItsOnnxSessionFromTheLoadingContextsOptions()
    {
        string path = Path.Combine(TestData.NewTempDirectory(), "model.zip");
        ModelFile.Save(f.Ml, f.Model, f.Train.Schema, path);
        var ml = new MLContext(seed: 1);
        var created = new List<int>();
        ml.SetOnnxSessionOption(new OnnxSessionOptions
        {
            CreateSessionOptions = () =>
            {
                int threads = ml.GetOnnxThreads() ?? 0;
                created.Add(threads);
                return new SessionOptions { IntraOpNumThreads = threads };
            },
        });
        ml.SetOnnxThreads(1);

        var loaded = ModelFile.Load(ml, path, out _);
        try
        {
            Assert.Equal([1], created);
            var expected = f.Ml.MulticlassClassification.Evaluate(f.Model.Transform(f.Test));
            var actual = ml.MulticlassClassification.Evaluate(loaded.Transform(f.Test));
            Assert.Equal(expected.MicroAccuracy, actual.MicroAccuracy);
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }
}
