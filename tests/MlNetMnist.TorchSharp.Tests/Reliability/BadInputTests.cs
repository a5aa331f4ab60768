using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Networks;
using MlNetMnist.Training;

namespace MlNetMnist.Tests.Reliability;

/// <summary>
/// The bad-input matrix of the library (the command-line tool's is in MlNetMnist.Cli.Tests,
/// BadInputCliTests): every case names the input and says what was expected. Many cases are also tested in more depth next to the code
/// (Data/IdxReaderTests, Data/MnistDataTests, Reports/ModelFileTests, Cli/CliTests,
/// Reliability/ImageHeaderTests, Reliability/CheckpointTests); here each is checked once, by its text.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class BadInputTests : IDisposable
{
    private readonly ReliabilityModelFixture _f;
    private readonly string _dir = TestData.NewTempDirectory("mlnetmnist-badinput");

    public BadInputTests(ReliabilityModelFixture fixture) => _f = fixture;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One bad input: what to run, the exception it must throw, and the texts its message must contain.</summary>
    private sealed record Case(Type Exception, Action Act, params string[] Expected);

    public static TheoryData<string> LibraryCases => new(new[]
    {
        "missing IDX file", "missing data folder", "empty IDX file", "truncated .gz", "wrong IDX magic",
        "image/label count mismatch", "zero image rows in the IDX header", "feature size not an image shape",
        "label outside the class range", "label unseen by the key mapping (key 0)",
        "NaN feature value in training", "infinite feature value in Transform", "NaN pixel in Predict",
        "no Label column", "no Features column in training", "no Features column in Transform",
        "Label not a key", "Features of the wrong item type", "Features of the wrong size (in-memory model)",
        "Features of the wrong size (loaded model)", "zero rows",
        "label key with other classes than the model's", "label key in another order than the model's",
        "model file missing", "model file empty", "model file not a zip", "model file truncated", "model file corrupted",
        "image file that is not an image", "image declaring a huge size", "huge image given to the image loader",
        "epochs 0", "negative learning rate", "batch size larger than the data",
        "resume without a checkpoint path", "checkpoint missing", "checkpoint not a checkpoint", "checkpoint of another run",
    });

    [Theory]
    [MemberData(nameof(LibraryCases))]
    public void TheLibraryRefusesBadInputNamingItAndWhatWasExpected(string name)
    {
        var c = LibraryCase(name);
        var e = Assert.Throws(c.Exception, c.Act);
        foreach (string part in c.Expected)
            Assert.True(e.Message.Contains(part, StringComparison.Ordinal), $"'{part}' is not in the message: {e.Message}");
    }

    private Case LibraryCase(string name)
    {
        var ml = _f.Ml;
        string File(string fileName, byte[] content) => IdxTestFiles.Write(_dir, fileName, content);
        string missing = Path.Combine(_dir, "missing");
        switch (name)
        {
            case "missing IDX file":
                return new(typeof(MnistDataException), () => IdxReader.ReadImages(Path.Combine(_dir, "train-images-idx3-ubyte.gz")),
                    Path.Combine(_dir, "train-images-idx3-ubyte.gz") + ": file not found");
            case "missing data folder":
                return new(typeof(MnistDataException), () => MnistData.LoadSet(missing, MnistSplit.Test),
                    Path.Combine(missing, "t10k-images-idx3-ubyte.gz"), "not found");
            case "empty IDX file":
                string empty = File("t10k-labels-idx1-ubyte", []);
                return new(typeof(MnistDataException), () => IdxReader.ReadLabels(empty), $"{empty}: file is empty (0 bytes), expected IDX data");
            case "truncated .gz":
                byte[] gz = IdxTestFiles.Gzip(IdxTestFiles.Images(20, 28, 28));
                string half = File("half.gz", gz[..(gz.Length / 2)]);
                return new(typeof(MnistDataException), () => IdxReader.ReadImages(half), $"{half}: truncated or corrupt gzip stream");
            case "wrong IDX magic":
                string labels = File("labels-as-images", IdxTestFiles.Labels(1, 2, 3));
                return new(typeof(MnistDataException), () => IdxReader.ReadImages(labels),
                    $"{labels}: magic number 0x00000801", "expected 0x00000803 (IDX image file: unsigned bytes, 3 dimensions: images, rows, columns)");
            case "image/label count mismatch":
                string images = File("t10k-images-idx3-ubyte", IdxTestFiles.Images(4, 28, 28));
                string fewer = File("t10k-labels-idx1-ubyte", IdxTestFiles.Labels(1, 2, 3));
                return new(typeof(MnistDataException), () => MnistData.LoadSet(_dir, MnistSplit.Test),
                    $"{images}: 4 images, but {fewer} has 3 labels; expected one label per image");
            case "zero image rows in the IDX header":
                string zeroRows = File("zero-rows", IdxTestFiles.Header(0x803, 5, 0, 28));
                return new(typeof(MnistDataException), () => IdxReader.ReadImages(zeroRows), $"{zeroRows}: dimension 1 (rows) is 0, expected a size from 1");
            case "feature size not an image shape":
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions(), Keyed(new InMemoryImageDataView(new byte[4 * 500], 500, [1, 2, 1, 2]))),
                    "Column 'Features' has 500 values per row, which is not a square image (nor three square planes); give the column its dimensions (e.g. [VectorType(height, width)] or a Vector<Single, C, H, W> type) or set the image height and width (TorchCnnOptions.ImageHeight and ImageWidth when training).");
            case "label outside the class range":
                string outside = File("train-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(0, 1, 2, 3, 4, 5, 6, 12, 8)));
                return new(typeof(MnistDataException), () => IdxReader.ReadLabels(outside), $"{outside}: label 12 at index 7 is outside 0..9");
            case "label unseen by the key mapping (key 0)":
                // Keys fitted on labels 1 and 2; a row labelled 3 gets key 0 (missing), which training refuses.
                var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(new InMemoryImageDataView(new byte[2 * 4], 4, [1, 2]));
                var unseen = keys.Transform(new InMemoryImageDataView(new byte[3 * 4], 4, [1, 2, 3]));
                return new(typeof(InvalidDataException), () => Fit(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, BatchSize = 1 }, unseen),
                    "Column 'Label', row 2: the label is missing (key value 0); every training row needs a label.");
            case "NaN feature value in training":
                return new(typeof(InvalidDataException), () => Fit(new TorchCnnOptions { BatchSize = 1 }, Keyed(Rows(784, (1, 5, float.NaN)))),
                    "Column 'Features', row 1, slot 5: value NaN is not a finite number.");
            case "infinite feature value in Transform":
                return new(typeof(InvalidDataException), () => _f.Model.Transform(Rows(784, (0, 3, float.PositiveInfinity))).GetColumn<float[]>("Score").ToList(),
                    "Column 'Features', row 0, slot 3: value Infinity is not a finite number; expected raw pixel values (0-255).");
            case "NaN pixel in Predict":
                return new(typeof(InvalidDataException), () => _f.Model.Predict(Enumerable.Repeat(float.NaN, 784).ToArray()),
                    "Predict, slot 0: value NaN is not a finite number; expected raw pixel values (0-255).");
            case "no Label column":
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions(), ml.Transforms.DropColumns("Label").Fit(_f.Train).Transform(_f.Train)),
                    "The training data has no label column 'Label'.");
            case "no Features column in training":
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions { FeatureColumnName = "Pixels" }, _f.Train),
                    "The training data has no feature column 'Pixels' (TorchCnnOptions.FeatureColumnName).");
            case "no Features column in Transform":
                return new(typeof(ArgumentException), () => _f.Model.Transform(ml.Transforms.DropColumns("Features").Fit(_f.Test).Transform(_f.Test)),
                    "The input has no column 'Features'; this model reads a vector of 784 Single pixel values from it.");
            case "Label not a key":
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions(), _f.RawTrain(100)),
                    "Label column 'Label' has type UInt32; expected a key type with UInt32 storage. Map it with mlContext.Transforms.Conversion.MapValueToKey(\"Label\") first.");
            case "Features of the wrong item type":
                var doubles = ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(_f.Train).Transform(_f.Train);
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions(), doubles),
                    "Feature column 'Features' has type Vector<Double, 784>; TorchCnn expects a known-size vector of Single");
            case "Features of the wrong size (in-memory model)":
                return new(typeof(ArgumentException), () => _f.Model.Transform(Images20x20()),
                    "Column 'Features' has type Vector<Single, 400>; this model expects a known-size vector of 784 Single values (1x28x28 pixels).");
            case "Features of the wrong size (loaded model)":
                // ML.NET's own OnnxTransformer scores a loaded model; it reports the mismatch when reading rows.
                var loaded = ModelFile.Load(ml, _f.ModelPath, out _);
                return new(typeof(InvalidOperationException), () => loaded.Transform(Images20x20()).GetColumn<float[]>("Score").ToList(),
                    "Input shape mismatch: Input 'Features' has shape 784, but input data is of length 400.");
            case "zero rows":
                return new(typeof(ArgumentException), () => Fit(new TorchCnnOptions(), Keyed(new InMemoryImageDataView([], 784, []), fitOn: _f.RawTrain(10))),
                    "The training data has no rows");
            case "label key with other classes than the model's":
                // Test labels mapped on their own, on data without the digit 9: a 9-value key, not the model's 10.
                var withoutNine = ReliabilityModelFixture.Where(_f.TestSet, label => label != 9);
                var nineKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(withoutNine).Transform(withoutNine);
                return new(typeof(ArgumentException), () => _f.Model.Transform(nineKeys),
                    "Label column 'Label' is a key type with 9 values; this model was trained with 10 classes (5, 0, 4, 1, 9, 2, 3, 6, 7, 8).",
                    "Map the label with the MapValueToKey transformer fitted on the training data");
            case "label key in another order than the model's":
                var byValue = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(_f.RawTest).Transform(_f.RawTest);
                return new(typeof(ArgumentException), () => _f.Model.Transform(byValue),
                    "Label column 'Label' has the key values 0, 1, 2, 3, 4, 5, 6, 7, 8, 9; this model's classes are 5, 0, 4, 1, 9, 2, 3, 6, 7, 8 in that key order.");
            case "model file missing":
                return new(typeof(FileNotFoundException), () => ModelFile.Load(ml, Path.Combine(_dir, "model.zip"), out _),
                    $"{Path.Combine(_dir, "model.zip")}: model file not found.");
            case "model file empty":
                string emptyModel = File("empty.zip", []);
                return new(typeof(InvalidDataException), () => ModelFile.Load(ml, emptyModel, out _),
                    $"{emptyModel}: the file is empty; expected an ML.NET model (.zip)");
            case "model file not a zip":
                string text = File("text.zip", "not a model"u8.ToArray());
                return new(typeof(InvalidDataException), () => ModelFile.Load(ml, text, out _),
                    $"{text}: not a zip archive (starts with 6E6F7420); expected an ML.NET model (.zip)");
            case "model file truncated":
                byte[] model = System.IO.File.ReadAllBytes(_f.ModelPath);
                string truncated = File("truncated.zip", model[..(model.Length / 2)]);
                return new(typeof(InvalidDataException), () => ModelFile.Load(ml, truncated, out _), $"{truncated}: not a readable ML.NET model: ");
            case "model file corrupted":
                byte[] corrupt = System.IO.File.ReadAllBytes(_f.ModelPath);
                for (int i = corrupt.Length / 2; i < corrupt.Length / 2 + 64; i++) corrupt[i] ^= 0x5A;
                string damaged = File("corrupt.zip", corrupt);
                return new(typeof(InvalidDataException), () => ModelFile.Load(ml, damaged, out _), $"{damaged}: not a readable ML.NET model: ");
            case "image file that is not an image":
                string notImage = File("digit.png", "hello, world"u8.ToArray());
                return new(typeof(InvalidDataException), () => ImageHeader.ReadWithinLimit(notImage),
                    $"{notImage}: not a PNG, JPEG, BMP, GIF or WebP image (it starts with 68656C6C6F2C2077).");
            case "image declaring a huge size":
                string bomb = File("bomb.png", TestImages.PngHeader(100_000, 100_000));
                return new(typeof(InvalidDataException), () => ImageHeader.ReadWithinLimit(bomb),
                    $"{bomb}: the Png header declares 100000x100000 = 10,000,000,000 pixels, more than the limit of 40,000,000 pixels; the image was refused before decoding.");
            case "huge image given to the image loader":
                string bigPng = File("big.png", TestImages.PngHeader(100_000, 100_000));
                return new(typeof(InvalidDataException), () => MlNetMnist.Images.DigitImages.Load(bigPng),
                    $"{bigPng}: image: the Png header declares 100000x100000 = 10,000,000,000 pixels, more than the limit of 40,000,000 pixels; the image was refused before decoding.");
            case "epochs 0":
                return new(typeof(ArgumentOutOfRangeException), () => new TorchCnnOptions { Epochs = 0 }.Validate(), "TorchCnnOptions.Epochs is 0; expected at least 1.");
            case "negative learning rate":
                return new(typeof(ArgumentOutOfRangeException), () => ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { LearningRate = -0.1 }),
                    "TorchCnnOptions.LearningRate is -0.1; expected a positive number no larger than 10");
            case "batch size larger than the data":
                return new(typeof(ArgumentOutOfRangeException), () => Fit(new TorchCnnOptions { BatchSize = 500 }, _f.KeyedTrain(10)),
                    "TorchCnnOptions.BatchSize is 500, larger than the 10 training rows.");
            case "resume without a checkpoint path":
                return new(typeof(ArgumentException), () => new TorchCnnOptions { ResumeFromCheckpoint = true }.Validate(),
                    "TorchCnnOptions.ResumeFromCheckpoint needs TorchCnnOptions.CheckpointPath: the checkpoint file to resume from.");
            case "checkpoint missing":
                string noCheckpoint = Path.Combine(_dir, "run.checkpoint");
                return new(typeof(FileNotFoundException), () => Fit(new TorchCnnOptions { CheckpointPath = noCheckpoint, ResumeFromCheckpoint = true }, _f.Train),
                    $"{noCheckpoint}: training checkpoint not found; it is written by a run with TorchCnnOptions.CheckpointPath set (CLI: train --checkpoint).");
            case "checkpoint not a checkpoint":
                string fake = File("fake.checkpoint", "not a checkpoint"u8.ToArray());
                return new(typeof(InvalidDataException), () => Fit(new TorchCnnOptions { CheckpointPath = fake, ResumeFromCheckpoint = true, Epochs = 1, BatchSize = 100 }, _f.KeyedTrain(100)),
                    $"{fake}: not a readable training checkpoint: ");
            case "checkpoint of another run":
                string other = Path.Combine(_dir, "other.checkpoint");
                var small = _f.KeyedTrain(200);
                using (Fit(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 100, Seed = 1, CheckpointPath = other }, small)) { }
                return new(typeof(InvalidOperationException), () => Fit(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 100, Seed = 2, CheckpointPath = other, ResumeFromCheckpoint = true }, _f.KeyedTrain(150)),
                    $"{other}: the checkpoint belongs to another training run (", "Seed is 1 in the checkpoint and 2 now", "TrainingRows is 200 in the checkpoint and 150 now", "TrainingData differs",
                    "Resume with the same options and data as the interrupted run, or train without resuming to start over.");
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case");
        }
    }

    [Fact]
    public void AClassSeenInTestButNotInTrainingIsLeftOutOfTheMetricsAsDocumented()
    {
        // Documented result (docs/reliability.md): the fitted pipeline's MapValueToKey maps a label it did
        // not see in training to key 0 (missing); the model still predicts one of its classes for those
        // rows, and ML.NET's evaluator leaves rows with a missing label out of every metric.
        var ml = _f.Ml;
        var trainWithoutNine = ReliabilityModelFixture.Where(_f.TrainSet, label => label != 9);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.TorchCnn(new TorchCnnOptions { Network = NetworkArchitecture.Mlp, Epochs = 1, BatchSize = 100 }));
        var model = pipeline.Fit(trainWithoutNine);
        try
        {
            var scored = model.Transform(_f.RawTest);
            var labels = scored.GetColumn<uint>("Label").ToArray();
            int nines = _f.RawTest.GetColumn<uint>("Label").Count(l => l == 9);
            Assert.Equal(nines, labels.Count(k => k == 0));
            Assert.All(scored.GetColumn<uint>("PredictedLabel"), k => Assert.InRange(k, 1u, 9u));
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            Assert.Equal(9, metrics.ConfusionMatrix.NumberOfClasses);
            Assert.Equal(500 - nines, metrics.ConfusionMatrix.Counts.Sum(row => row.Sum()), 6);
        }
        finally
        {
            foreach (var t in (IEnumerable<ITransformer>)model) (t as IDisposable)?.Dispose();
        }
    }

    private TorchCnnTransformer Fit(TorchCnnOptions options, IDataView data) => new TorchCnnTrainer(_f.Ml, options).Fit(data);

    private IDataView Keyed(IDataView raw, IDataView? fitOn = null) =>
        _f.Ml.Transforms.Conversion.MapValueToKey("Label").Fit(fitOn ?? raw).Transform(raw);

    /// <summary>Rows of <paramref name="size"/> zero features and labels 0, 1, 0, 1; one value replaced.</summary>
    private IDataView Rows(int size, (int Row, int Slot, float Value) bad)
    {
        var rows = Enumerable.Range(0, 4).Select(i => new FeatureRow { Label = (uint)(i % 2), Features = new float[size] }).ToArray();
        rows[bad.Row].Features[bad.Slot] = bad.Value;
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return _f.Ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static IDataView Images20x20() => new InMemoryImageDataView(new byte[3 * 400], 400, [1, 2, 3]);

    private sealed class FeatureRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
