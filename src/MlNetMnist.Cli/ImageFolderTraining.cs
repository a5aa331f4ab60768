using System.Globalization;
using Microsoft.ML;
using MlNetMnist.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Cli;

/// <summary>
/// <c>train --images DIR</c>: a folder tree <c>DIR/&lt;label&gt;/*.png|jpg</c> instead of MNIST, split by
/// <see cref="ImageFolderData.LoadTrainTest"/>. The network trains on the pixels and learns to invert
/// dark-on-light images itself; the saved model is the saveable image chain followed by the trained
/// pipeline (<see cref="DigitImageCatalog.PrependDigitImageInput"/>), so it takes image paths.
/// </summary>
internal static class ImageFolderTraining
{
    /// <summary>Checks that exactly one of <c>--data</c> and <c>--images</c> is given, and options that only fit MNIST are not used with images.</summary>
    public static void CheckSource(string? data, string? images, string? predictionsPath)
    {
        if (data is null && images is null) throw new UsageException("give --data DIR (MNIST) or --images DIR (a folder tree DIR/<label>/*.png).");
        if (data is not null && images is not null) throw new UsageException("give either --data (MNIST) or --images (a folder of labelled images), not both.");
        if (images is not null && predictionsPath is not null) throw new UsageException("--predictions is only available with --data (MNIST).");
    }

    /// <summary>The training and test rows of the tree at <paramref name="root"/>, with a line describing them.</summary>
    /// <remarks>Files that cannot be read (truncated, corrupt, not images) are left out and listed on <paramref name="warnings"/>, or stop the run (<paramref name="unreadable"/>).</remarks>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string root, int? maxTrainRows, int? maxTestRows, TextWriter output, TextWriter warnings,
        UnreadableImages unreadable = UnreadableImages.Skip)
    {
        var split = ImageFolderData.LoadTrainTest(ml, root, maxTrainRows: maxTrainRows, maxTestRows: maxTestRows, unreadable: unreadable);
        if (split.Skipped.Count > 0)
        {
            warnings.WriteLine($"warning: {split.Skipped.Count} image{(split.Skipped.Count == 1 ? "" : "s")} cannot be read and {(split.Skipped.Count == 1 ? "is" : "are")} left out (use --stop-on-unreadable to stop instead):");
            foreach (string problem in split.Skipped) warnings.WriteLine($"  {problem}");
        }
        if (split.TestIsTrainingData) output.WriteLine("Too few images to hold any out: the evaluation below is on the training images.");
        var labels = split.Labels;
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Images: {0} ({1} classes: {2}; {3:N0} training images, {4:N0} test images)",
            Path.GetFullPath(root), labels.Count, string.Join(", ", labels.Take(20)) + (labels.Count > 20 ? ", ..." : ""), split.TrainCount, split.TestCount));
        return (split.Train, split.Test);
    }

    /// <summary>For images, <paramref name="options"/> is set to invert dark-on-light images inside the network.</summary>
    public static void Configure(bool images, TorchCnnOptions options)
    {
        if (images) options.InputPolarity = InputPolarity.AutoInvert;
    }

    /// <summary>
    /// The image-input options that <see cref="ForSaving"/> puts in front of <paramref name="model"/> when
    /// they centre (an ONNX graph), else null (pixel input, or the colour chain, which has no ONNX form).
    /// </summary>
    public static DigitImageInputOptions? CentringImageInput(bool images, ITransformer model) =>
        images && DigitImageCatalog.DefaultOptionsFor(ImageShape.FromModel(model)) is { CentreByMass: true, KeepColor: false } options ? options : null;

    /// <summary>What <c>train</c> saves: for MNIST the trained pipeline and the training schema; for images the image chain in front of it.</summary>
    public static (ITransformer Model, DataViewSchema Schema) ForSaving(MLContext ml, bool images, ITransformer model, DataViewSchema trainSchema) =>
        images ? ml.PrependDigitImageInput(model, trainSchema) : (model, trainSchema);
}
