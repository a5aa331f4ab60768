using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetMnist.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Tests.Shared;

/// <summary>
/// One decently trained digit model shared by the image, CLI-predict and serving tests: the default
/// TorchCnn with <see cref="InputPolarity.AutoInvert"/>, 2 epochs on the first 20,000 MNIST training
/// images, in the standard pipeline. Saved twice: with pixel input, and with the image-input chain in
/// front (image paths in). The 10,000 test digits are written as PNG files, <c>png/&lt;digit&gt;/&lt;index&gt;.png</c>.
/// </summary>
public sealed class ImageModelFixture : IDisposable
{
    public const int TrainRows = 20_000;

    public ImageModelFixture()
    {
        Ml = new MLContext(seed: 1);
        Directory = TestData.NewTempDirectory("mlnetmnist-images");
        var train = MnistData.Load(Ml, TestData.MnistDirectory, MnistSplit.Train, maxRows: TrainRows);
        TestSet = MnistData.LoadSet(TestData.MnistDirectory, MnistSplit.Test);
        Test = TestSet.ToDataView();

        // A tenth of the rows is held out: the model calibrates its probabilities and its out-of-distribution score on it.
        var options = new TorchCnnOptions { Epochs = 2, InputPolarity = InputPolarity.AutoInvert, ValidationFraction = 0.1 };
        PixelModel = Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(Ml.MulticlassClassification.Trainers.TorchCnn(options))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(train);
        PixelModelPath = Path.Combine(Directory, "pixel-model.zip");
        ModelFile.Save(Ml, PixelModel, train.Schema, PixelModelPath);

        // The image chain fitted on (empty) path rows and put in front of the trained model: the default
        // chain (MNIST-style centring inside the saved model), and the plain one (resize only).
        var paths = Ml.Data.LoadFromEnumerable(Array.Empty<PathRow>());
        var imageInput = Ml.Transforms.DigitImageInput().Fit(paths);
        ImageModel = new TransformerChain<ITransformer>(imageInput, PixelModel);
        ImageModelPath = Path.Combine(Directory, "image-model.zip");
        ModelFile.Save(Ml, ImageModel, paths.Schema, ImageModelPath);
        var plainInput = Ml.Transforms.DigitImageInput(new DigitImageInputOptions { CentreByMass = false }).Fit(paths);
        PlainImageModelPath = Path.Combine(Directory, "plain-image-model.zip");
        ModelFile.Save(Ml, new TransformerChain<ITransformer>(plainInput, PixelModel), paths.Schema, PlainImageModelPath);

        PngFolder = Path.Combine(Directory, "png");
        PngPaths = new string[TestSet.Count];
        for (int d = 0; d < 10; d++) System.IO.Directory.CreateDirectory(Path.Combine(PngFolder, d.ToString()));
        for (int i = 0; i < TestSet.Count; i++)
        {
            PngPaths[i] = Path.Combine(PngFolder, TestSet.Labels[i].ToString(), $"{i:D5}.png");
            TestImages.Write(PngPaths[i], Pixels(i), 28, 28);
        }
    }

    public MLContext Ml { get; }

    /// <summary>
    /// The first 300 test digits written in four variants: enlarged to 200x200, black on white, JPEG, and
    /// all three at once; by variant, each file with its digit.
    /// </summary>
    public Lazy<Dictionary<string, List<(string Path, int Label)>>> Variants => _variants ??= new(WriteVariants);

    private Lazy<Dictionary<string, List<(string Path, int Label)>>>? _variants;

    private Dictionary<string, List<(string Path, int Label)>> WriteVariants()
    {
        const int n = 300;
        string dir = Path.Combine(Directory, "variants");
        System.IO.Directory.CreateDirectory(dir);
        var variants = new Dictionary<string, List<(string Path, int Label)>>
        {
            ["200x200"] = [], ["black-on-white"] = [], ["jpeg"] = [], ["200x200 black-on-white jpeg"] = [],
        };
        for (int i = 0; i < n; i++)
        {
            var pixels = Pixels(i).ToArray();
            int label = TestSet.Labels[i];
            var large = TestImages.Scale(pixels, 28, 28, 200);
            Add("200x200", $"{i}-large.png", large, 200);
            Add("black-on-white", $"{i}-inverted.png", TestImages.Invert(pixels), 28);
            Add("jpeg", $"{i}.jpg", pixels, 28, quality: 85);
            Add("200x200 black-on-white jpeg", $"{i}-large-inverted.jpg", TestImages.Invert(large), 200, quality: 85);

            void Add(string variant, string name, byte[] gray, int size, int quality = 100)
            {
                string path = Path.Combine(dir, name);
                TestImages.Write(path, gray, size, size, quality);
                variants[variant].Add((path, label));
            }
        }
        return variants;
    }

    public string Directory { get; }

    /// <summary>The 10,000 MNIST test images.</summary>
    public MnistSet TestSet { get; }

    /// <summary>The test images as an IDX-based data view.</summary>
    public IDataView Test { get; }

    /// <summary>The trained pipeline (pixel input), in-process.</summary>
    public ITransformer PixelModel { get; }

    public string PixelModelPath { get; }

    /// <summary>The image chain followed by <see cref="PixelModel"/>: image paths in.</summary>
    public ITransformer ImageModel { get; }

    public string ImageModelPath { get; }

    /// <summary>The plain image chain (no centring: grayscale, resize to 28x28, extract) followed by <see cref="PixelModel"/>.</summary>
    public string PlainImageModelPath { get; }

    /// <summary>Folder with the test digits as PNG files in one subfolder per digit.</summary>
    public string PngFolder { get; }

    /// <summary>The PNG file of each test image, by index.</summary>
    public string[] PngPaths { get; }

    /// <summary>The raw pixels of test image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Pixels(int index) => TestSet.Pixels.AsSpan(index * 784, 784);

    /// <summary>Test image <paramref name="index"/> as 784 floats.</summary>
    public float[] Features(int index)
    {
        var result = new float[784];
        var pixels = Pixels(index);
        for (int i = 0; i < 784; i++) result[i] = pixels[i];
        return result;
    }

    public void Dispose()
    {
        (PixelModel as IDisposable)?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>An input row of the image model: a path, and the label its saved MapValueToKey expects.</summary>
    public sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public uint Label { get; set; }
    }

    /// <summary>The scores of a scored row.</summary>
    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}

/// <summary>The tests that share the trained <see cref="ImageModelFixture"/> (run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ImageModelCollection : ICollectionFixture<ImageModelFixture>
{
    public const string Name = "MlNetMnist.Tests.Images image model";
}
