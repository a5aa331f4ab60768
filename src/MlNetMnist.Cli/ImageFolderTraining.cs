using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Cli;

/// <summary>
/// <c>train --images DIR</c>: a folder tree <c>DIR/&lt;label&gt;/*.png|jpg</c> instead of MNIST. Every fifth
/// image of each class (in path order) is held out for the evaluation. The network trains on the pixels
/// (read once, in memory) and learns to invert dark-on-light images itself; the saved model is the
/// saveable image chain followed by the trained pipeline, so it takes image paths (and a text <c>Label</c>).
/// </summary>
internal static class ImageFolderTraining
{
    /// <summary>One image in this many of each class is held out for the test evaluation.</summary>
    public const int TestEvery = 5;

    /// <summary>Checks that exactly one of <c>--data</c> and <c>--images</c> is given, and options that only fit MNIST are not used with images.</summary>
    public static void CheckSource(string? data, string? images, string? predictionsPath)
    {
        if (data is null && images is null) throw new UsageException("give --data DIR (MNIST) or --images DIR (a folder tree DIR/<label>/*.png).");
        if (data is not null && images is not null) throw new UsageException("give either --data (MNIST) or --images (a folder of labelled images), not both.");
        if (images is not null && predictionsPath is not null) throw new UsageException("--predictions is only available with --data (MNIST).");
    }

    /// <summary>The training and test rows (<c>Label</c> text, <c>Features</c> 28x28 pixels) of the tree at <paramref name="root"/>.</summary>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string root, int? maxTrainRows, int? maxTestRows, TextWriter output)
    {
        var entries = ImageFolder.Enumerate(root);
        var train = new List<ImageFolderEntry>();
        var test = new List<ImageFolderEntry>();
        foreach (var group in entries.GroupBy(e => e.Label))
        {
            var items = group.ToList();
            for (int i = 0; i < items.Count; i++)
                (items.Count >= 2 && i % TestEvery == TestEvery - 1 ? test : train).Add(items[i]);
        }
        if (maxTrainRows is int maxTrain) train = train.Take(maxTrain).ToList();
        if (maxTestRows is int maxTest) test = test.Take(maxTest).ToList();
        if (test.Count == 0)
        {
            output.WriteLine("Too few images to hold any out: the evaluation below is on the training images.");
            test = train;
        }
        var labels = ImageFolder.Labels(entries);
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Images: {0} ({1} classes: {2}; {3:N0} training images, {4:N0} test images)",
            Path.GetFullPath(root), labels.Count, string.Join(", ", labels.Take(20)) + (labels.Count > 20 ? ", ..." : ""), train.Count, test.Count));
        return (ImageFolderData.LoadPixels(ml, train), ImageFolderData.LoadPixels(ml, test));
    }

    /// <summary>
    /// The start of the training pipeline: nothing (the network reads pixels); for images
    /// <paramref name="options"/> is set to invert dark-on-light images inside the network.
    /// </summary>
    public static EstimatorChain<ITransformer> Input(bool images, TorchCnnOptions options)
    {
        if (images) options.InputPolarity = InputPolarity.AutoInvert;
        return new EstimatorChain<ITransformer>();
    }

    /// <summary>
    /// What <c>train</c> saves: for MNIST the trained pipeline and the training schema; for images the
    /// saveable image chain (paths to 28x28 pixels) in front of it, with an input schema of
    /// <c>Label</c> (text) and <c>ImagePath</c>.
    /// </summary>
    public static (ITransformer Model, DataViewSchema Schema) ForSaving(MLContext ml, bool images, ITransformer model, DataViewSchema trainSchema)
    {
        if (!images) return (model, trainSchema);
        var paths = ImageFolderData.FromEntries(ml, []);
        var imageInput = ml.Transforms.DigitImageInput().Fit(paths);
        return (new TransformerChain<ITransformer>(imageInput, model), paths.Schema);
    }
}
