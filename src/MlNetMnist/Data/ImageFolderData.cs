using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Data;

/// <summary>
/// Loads an image folder tree (<see cref="ImageFolder"/>) as an ML.NET <see cref="IDataView"/>, so the
/// TorchCnn trainer learns other small image sets the way it learns MNIST.
/// </summary>
public static class ImageFolderData
{
    /// <summary>
    /// The images as rows of <c>Label</c> (text, the class folder's name) and <c>ImagePath</c> (text, the
    /// full path). Put <see cref="DigitImageCatalog.DigitImageInput"/> in front of the trainer to read
    /// the pixels: the saved model then takes image paths.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="root">The root of the tree.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">There are no images.</exception>
    public static IDataView LoadPaths(MLContext ml, string root)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return FromEntries(ml, ImageFolder.Enumerate(root));
    }

    /// <summary>Rows of <c>Label</c> and <c>ImagePath</c> for the given images.</summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="entries">The images.</param>
    public static IDataView FromEntries(MLContext ml, IEnumerable<ImageFolderEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(entries);
        var rows = entries.Select(e => new PathRow { Label = e.Label, ImagePath = e.ImagePath }).ToArray();
        return ml.Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// The images as rows of <c>Label</c> (text) and <c>Features</c> (a known-size vector of raw gray
    /// values 0-255, row-major, 784 for the default 28x28), decoded and resized in memory. Every file is
    /// decoded before anything is returned, so an unreadable one is reported by name rather than in the
    /// middle of training.
    /// </summary>
    /// <remarks>
    /// The pixels are made by the same image chain that <see cref="DigitImageCatalog.PrependDigitImageInput"/>
    /// (and <c>train --images</c>) saves in front of the trained model (<see cref="DigitImageCatalog.DigitImageInput"/>
    /// with its defaults: the digit centred by mass as MNIST was made), so a model learns exactly the
    /// pixels that its saved chain gives it later. Train on this view and put the fitted image chain in
    /// front of the trained model to save a model that takes image paths, or train on
    /// <see cref="LoadPaths"/> through the chain itself.
    /// </remarks>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="root">The root of the tree.</param>
    /// <param name="width">Width of the images in the view. Default 28.</param>
    /// <param name="height">Height of the images in the view. Default 28.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">There are no images, or some cannot be read (all are listed).</exception>
    public static IDataView Load(MLContext ml, string root, int width = 28, int height = 28)
    {
        ArgumentNullException.ThrowIfNull(ml);
        return LoadPixels(ml, ImageFolder.Enumerate(root), width, height);
    }

    /// <summary>Rows of <c>Label</c> (text) and <c>Features</c> for the given images; see <see cref="Load"/>.</summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="entries">The images.</param>
    /// <param name="width">Width of the images in the view.</param>
    /// <param name="height">Height of the images in the view.</param>
    /// <exception cref="InvalidDataException">Some images cannot be read (all are listed).</exception>
    public static IDataView LoadPixels(MLContext ml, IReadOnlyList<ImageFolderEntry> entries, int width = 28, int height = 28)
    {
        var (view, problems) = LoadPixels(ml, entries, width, height, UnreadableImages.Stop);
        return problems.Count == 0 ? view : throw Unreadable(problems, entries.Count);
    }

    /// <summary>
    /// Rows of <c>Label</c> (text) and <c>Features</c> for the given images, and what happened to those
    /// that cannot be read (missing, not an image, or truncated or corrupt: a partly decoded image is
    /// never returned). With <see cref="UnreadableImages.Stop"/> any such file throws, listing them all;
    /// with <see cref="UnreadableImages.Skip"/> they are left out and returned, each as <c>path: problem</c>.
    /// </summary>
    private static (IDataView View, IReadOnlyList<string> Problems) LoadPixels(MLContext ml, IReadOnlyList<ImageFolderEntry> entries, int width, int height, UnreadableImages unreadable)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(entries);
        // Our decoder refuses a truncated or corrupt file (ML.NET's image loader would decode part of it silently).
        var readable = new List<ImageFolderEntry>(entries.Count);
        var problems = new List<string>();
        foreach (var entry in entries)
        {
            try
            {
                DigitImages.Validate(entry.ImagePath);
                readable.Add(entry);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
            {
                problems.Add(e.Message);
            }
        }
        if (problems.Count > 0 && unreadable == UnreadableImages.Stop) throw Unreadable(problems, entries.Count);
        if (readable.Count == 0) throw Unreadable(problems, entries.Count);
        var imageInput = ImageInputFor(width, height);
        var paths = ml.Data.LoadFromEnumerable(readable.Select(e => new PathRow { Label = e.Label, ImagePath = e.ImagePath }).ToArray());
        var chain = ml.Transforms.DigitImageInput(imageInput).Fit(paths);
        var features = chain.Transform(paths).GetColumn<float[]>(imageInput.FeatureColumnName).ToList();
        var rows = new PixelRow[readable.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = new PixelRow { Label = readable[i].Label, Features = features[i] };
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width * height);
        return (ml.Data.LoadFromEnumerable(rows, schema), problems);
    }

    /// <summary>
    /// The tree at <paramref name="root"/> split for training and evaluation, as pixel rows
    /// (<see cref="LoadPixels(MLContext, IReadOnlyList{ImageFolderEntry}, int, int)"/>): one image in <paramref name="holdOutEvery"/> of each class (in path
    /// order) is held out for the test part, so every class is in both; classes with a single image
    /// stay in training. When nothing can be held out, the test part is the training part
    /// (<see cref="ImageFolderSplit.TestIsTrainingData"/>).
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="root">The root of the tree (<c>root/&lt;label&gt;/*.png</c>).</param>
    /// <param name="holdOutEvery">One image in this many is held out. Default 5.</param>
    /// <param name="maxTrainRows">At most this many training images (the first ones), or null for all.</param>
    /// <param name="maxTestRows">At most this many test images, or null for all.</param>
    /// <param name="width">Width of the images in the views. Default 28.</param>
    /// <param name="height">Height of the images in the views. Default 28.</param>
    /// <param name="unreadable">
    /// What to do with files that cannot be read (not an image, or truncated or corrupt: a partly decoded
    /// image is never trained on). <see cref="UnreadableImages.Skip"/> (the default) leaves them out and
    /// lists them in <see cref="ImageFolderSplit.Skipped"/>; <see cref="UnreadableImages.Stop"/> throws, listing them.
    /// </param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">There are no images, no image can be read, or (<see cref="UnreadableImages.Stop"/>) some cannot be read (all are listed).</exception>
    public static ImageFolderSplit LoadTrainTest(MLContext ml, string root, int holdOutEvery = 5, int? maxTrainRows = null, int? maxTestRows = null, int width = 28, int height = 28,
        UnreadableImages unreadable = UnreadableImages.Skip)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdOutEvery, 2);
        var entries = ImageFolder.Enumerate(root);
        var train = new List<ImageFolderEntry>();
        var test = new List<ImageFolderEntry>();
        foreach (var group in entries.GroupBy(e => e.Label))
        {
            var items = group.ToList();
            for (int i = 0; i < items.Count; i++)
                (items.Count >= 2 && i % holdOutEvery == holdOutEvery - 1 ? test : train).Add(items[i]);
        }
        if (maxTrainRows is int maxTrain) train = train.Take(maxTrain).ToList();
        if (maxTestRows is int maxTest) test = test.Take(maxTest).ToList();
        bool testIsTraining = test.Count == 0;
        if (testIsTraining) test = train;
        var (trainView, trainSkipped) = LoadPixels(ml, train, width, height, unreadable);
        var (testView, testSkipped) = testIsTraining ? (trainView, []) : LoadPixels(ml, test, width, height, unreadable);
        return new ImageFolderSplit(trainView, testView, ImageFolder.Labels(entries), train.Count - trainSkipped.Count,
            testIsTraining ? train.Count - trainSkipped.Count : test.Count - testSkipped.Count, testIsTraining)
        {
            Skipped = [.. trainSkipped, .. testSkipped],
        };
    }

    /// <summary>The image-input options of the chain whose pixels <see cref="LoadPixels(MLContext, IReadOnlyList{ImageFolderEntry}, int, int)"/> gives (the default chain at that size).</summary>
    internal static DigitImageInputOptions ImageInputFor(int width, int height) => new()
    {
        Width = width,
        Height = height,
        BoxSize = Math.Max(1, (int)Math.Round(Math.Min(width, height) * 20.0 / 28)),
        WorkingSize = Math.Max(DigitPreprocessingOptions.DefaultWorkingSize, Math.Max(width, height)),
    };

    /// <summary>Throws <see cref="InvalidDataException"/> listing the files of <paramref name="entries"/> that cannot be decoded.</summary>
    /// <param name="entries">The images.</param>
    public static void RequireReadable(IReadOnlyList<ImageFolderEntry> entries)
    {
        var problems = ImageFolder.FindUnreadable(entries);
        if (problems.Count > 0) throw Unreadable(problems, entries.Count);
    }

    private static InvalidDataException Unreadable(IReadOnlyList<string> problems, int total) =>
        new($"{problems.Count} of {total} images cannot be read: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? "; ..." : "")}");

    private sealed class PixelRow
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];
    }

    private sealed class PathRow
    {
        public string Label { get; set; } = "";

        public string ImagePath { get; set; } = "";
    }
}

/// <summary>An image folder tree split for training and evaluation (<see cref="ImageFolderData.LoadTrainTest"/>).</summary>
/// <param name="Train">The training rows (<c>Label</c> text, <c>Features</c> pixels).</param>
/// <param name="Test">The held-out rows (the training rows when none could be held out).</param>
/// <param name="Labels">The class names found, in ordinal order.</param>
/// <param name="TrainCount">Training images.</param>
/// <param name="TestCount">Test images.</param>
/// <param name="TestIsTrainingData">True when too few images were there to hold any out.</param>
public sealed record ImageFolderSplit(IDataView Train, IDataView Test, IReadOnlyList<string> Labels, int TrainCount, int TestCount, bool TestIsTrainingData)
{
    /// <summary>
    /// The files left out because they cannot be read (<see cref="UnreadableImages.Skip"/>), each as
    /// <c>path: problem</c> (for example a truncated PNG); empty when every image was read.
    /// </summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];
}

/// <summary>What loading an image folder does with a file that cannot be read (missing, not an image, truncated or corrupt).</summary>
public enum UnreadableImages
{
    /// <summary>Leave it out and report it (<see cref="ImageFolderSplit.Skipped"/>); the other images are used.</summary>
    Skip,

    /// <summary>Stop: throw an <see cref="InvalidDataException"/> that lists every such file.</summary>
    Stop,
}
