using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlNetMnist.Images;
using MlNetMnist.Onnx;
using Xunit.Abstractions;

namespace MlNetMnist.Tests.Images;

/// <summary>
/// The standalone image-input ONNX export (<see cref="TorchCnnTransformer.ExportOnnx(DigitImageInputOptions)"/>)
/// of the shared image model, run by ONNX Runtime on off-centre digits on grey canvases that were only
/// fitted into the working square and split into ARGB planes, against that model's model.zip (image
/// input) loaded by ML.NET: the same probabilities and out-of-distribution scores.
/// </summary>
[Collection(ImageModelCollection.Name)]
public class StandaloneImageOnnxTests(ImageModelFixture f, ITestOutputHelper output)
{
    [Fact]
    public void StandaloneImageOnnxScoresOffCentreDigitsLikeTheSavedImageModel()
    {
        ImageAnalyticsCheck.Require();
        const int n = 300;
        string dir = TestData.NewTempDirectory();
        try
        {
            var files = ImagePlanes.WriteOffCentreGrey(dir, f.TestSet, n, seed: 12);
            var classifier = ((IEnumerable<ITransformer>)f.PixelModel).OfType<TorchCnnTransformer>().Single();
            Assert.NotNull(classifier.Calibration.OutOfDistribution);
            var options = new DigitImageInputOptions();
            byte[] onnx = classifier.ExportOnnx(options);
            Assert.Equal("128", OnnxModelInfo.Read(onnx).Metadata["working_size"]);

            using var session = new InferenceSession(onnx);
            Assert.Equal(new[] { "OutOfDistributionScore", "PredictedIndex", "Score" }, session.OutputMetadata.Keys.Order());
            var outputs = ImagePlanes.Run(session, options.ImageColumnName, ImagePlanes.Extract(files.Select(x => x.Path), options.WorkingSize), options.WorkingSize);

            var ml = new MLContext(seed: 1);
            var loaded = ml.Model.Load(f.ImageModelPath, out _);
            var rows = ml.Data.LoadFromEnumerable(files.Select(x => new ImageModelFixture.PathRow { ImagePath = x.Path }));
            var expected = ml.Data.CreateEnumerable<Row>(loaded.Transform(rows), reuseRowObject: false).ToList();

            double maxScore = 0, maxOod = 0;
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < 10; c++) maxScore = Math.Max(maxScore, Math.Abs(outputs["Score"][i][c] - expected[i].Score[c]));
                for (int k = 0; k < expected[i].OutOfDistributionScore.Length; k++)
                    maxOod = Math.Max(maxOod, Math.Abs(outputs["OutOfDistributionScore"][i][k] - expected[i].OutOfDistributionScore[k]) / Math.Max(1, Math.Abs(expected[i].OutOfDistributionScore[k])));
            }
            double accuracy = files.Select((x, i) => Array.IndexOf(outputs["Score"][i], outputs["Score"][i].Max()) == x.Label ? 1.0 : 0.0).Average();
            output.WriteLine($"standalone ONNX accuracy {accuracy:P2}, max |score difference| {maxScore:E2}, max relative |OOD difference| {maxOod:E2}");
            Assert.True(maxScore <= 1e-4, $"max |standalone ONNX - model.zip| score {maxScore:E2}");
            Assert.True(maxOod <= 1e-4, $"max relative |standalone ONNX - model.zip| out-of-distribution score {maxOod:E2}");
            Assert.True(accuracy >= 0.98, $"standalone ONNX accuracy on off-centre digits on grey canvases {accuracy:P2}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class Row
    {
        public float[] Score { get; set; } = [];

        public float[] OutOfDistributionScore { get; set; } = [];
    }
}
