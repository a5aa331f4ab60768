using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Reports;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// A 3-class classifier with text labels: MNIST digits 0, 1 and 2 labelled <see cref="Names"/> (one
/// of them full of HTML), keys sorted by value so that the class order is not the digit order. A weak
/// model on purpose (300 images, 1 epoch), so that it makes mistakes to show.
/// </summary>
public sealed class TextLabelReportFixture : IDisposable
{
    /// <summary>The label of digit 0, 1 and 2.</summary>
    public static readonly string[] Names = ["cat", "dog", "<b>bird</b> & \"co\""];

    /// <summary>The class order of the model: the key values sorted (ordinal): '&lt;' sorts before letters.</summary>
    public static readonly string[] ClassOrder = [Names[2], Names[0], Names[1]];

    public const int TrainRows = 300;

    public TextLabelReportFixture()
    {
        Ml = new MLContext(seed: 1);
        TrainRowsData = Rows(MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Train, maxRows: 3000)).Take(TrainRows).ToArray();
        TestRowsData = Rows(MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test, maxRows: 600)).ToArray();
        Train = Ml.Data.LoadFromEnumerable(TrainRowsData);
        Test = Ml.Data.LoadFromEnumerable(TestRowsData);
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(Ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Epochs = 1, BatchSize = 32 }))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Model = pipeline.Fit(Train);
        Scored = Model.Transform(Test);
        Metrics = Ml.MulticlassClassification.Evaluate(Scored, topKPredictionCount: 3);
        Report = MetricsReport.Evaluate(Ml, Model, Test, new ReportOptions
        {
            SampleData = Train,
            Metadata = new ReportMetadata { Title = "Pets & <birds>", Data = [new("Source", "MNIST 0/1/2 as \"cat\", \"dog\" & <b>bird</b>")] },
        });
        Directory = TestData.NewTempDirectory("mlnetmnist-textreport");
        Files = ReportWriter.WriteAll(Report, Directory);
    }

    public MLContext Ml { get; }

    public TextRow[] TrainRowsData { get; }

    public TextRow[] TestRowsData { get; }

    public IDataView Train { get; }

    public IDataView Test { get; }

    public ITransformer Model { get; }

    public IDataView Scored { get; }

    public MulticlassClassificationMetrics Metrics { get; }

    public MetricsReport Report { get; }

    public string Directory { get; }

    public ReportFiles Files { get; }

    public void Dispose()
    {
        (Model as IDisposable)?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static IEnumerable<TextRow> Rows(MnistSet set)
    {
        for (int i = 0; i < set.Count; i++)
        {
            if (set.Labels[i] > 2) continue;
            var features = new float[set.ImageSize];
            for (int p = 0; p < features.Length; p++) features[p] = set.Pixels[i * set.ImageSize + p];
            yield return new TextRow { Label = Names[set.Labels[i]], Features = features };
        }
    }

    public sealed class TextRow
    {
        public string Label { get; set; } = "";

        [VectorType(784)]
        public float[] Features { get; set; } = [];
    }
}
