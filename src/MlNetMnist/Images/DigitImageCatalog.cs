using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MlNetMnist.Images;

/// <summary>
/// Catalog extension that builds, from ML.NET's own image transforms only, the chain that turns image
/// files (or in-memory <see cref="MLImage"/>s) into the pixel vector a digit network reads.
/// </summary>
/// <remarks>
/// <para>The default chain prepares real-world images the way MNIST's digits were made
/// (<see cref="DigitImageInputOptions.CentreByMass"/>): <c>LoadImages</c> (when the input is a path
/// column), <c>ResizeImages</c> to the working size (128x128, keeping the aspect ratio, <c>IsoPad</c>),
/// <c>ExtractPixels</c> (alpha, red, green and blue planes), <c>ApplyOnnxModel</c> running an ONNX graph
/// this library writes (polarity, ink against paper, the digit's box scaled to 20x20 and centred by mass
/// in 28x28; see <see cref="DigitImagePreprocessor"/>, its C# twin) into a flat
/// <c>Vector&lt;Single, 784&gt;</c>, and <c>DropColumns</c> of the helper columns.</para>
/// <para>Without centring: <c>LoadImages</c>, <c>ConvertToGrayscale</c>, <c>ResizeImages</c> to 28x28,
/// <c>ExtractPixels</c> (one channel, raw 0-255), <c>Concatenate</c>, <c>DropColumns</c>.</para>
/// <para>Every step saves and loads with <c>Microsoft.ML</c>, <c>Microsoft.ML.ImageAnalytics</c> and
/// <c>Microsoft.ML.OnnxTransformer</c> alone, so <c>imageInput.Append(trainer)</c> (or the fitted chain in
/// front of a trained model) saves into one <c>model.zip</c> that accepts image paths and needs no code of
/// this library to score them.</para>
/// </remarks>
public static class DigitImageCatalog
{
    /// <summary>
    /// The image-input chain (see <see cref="DigitImageCatalog"/>): paths (or in-memory images) in,
    /// <see cref="DigitImageInputOptions.FeatureColumnName"/> (raw gray values 0-255, row-major) out.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="options">Columns, folder and size; null for the defaults (<c>ImagePath</c> -&gt; 28x28 <c>Features</c>).</param>
    public static EstimatorChain<ITransformer> DigitImageInput(this TransformsCatalog catalog, DigitImageInputOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var o = (options ?? new DigitImageInputOptions()).Clone();
        o.Validate();
        string image = o.ImageColumnName;
        string pixels = PixelsColumnName(o);

        var chain = new EstimatorChain<ITransformer>();
        if (o.ImagePathColumnName is not null)
            chain = chain.Append<ITransformer>(catalog.LoadImages(image, o.ImageFolder, o.ImagePathColumnName));
        // MNIST-style centring reads and gives gray digits; colour models (KeepColor) get the plain chain.
        if (o.CentreByMass && !o.KeepColor) return AppendCentring(catalog, chain, o);
        if (!o.KeepColor)
            chain = chain.Append<ITransformer>(catalog.ConvertToGrayscale(image, image));
        // Planes, not interleaved: channel by channel of row-major pixels, the layout the network reads.
        var colors = o.KeepColor ? ImagePixelExtractingEstimator.ColorBits.Rgb : ImagePixelExtractingEstimator.ColorBits.Red;
        return chain
            .Append<ITransformer>(catalog.ResizeImages(image, o.Width, o.Height, image, o.Resizing))
            .Append<ITransformer>(catalog.ExtractPixels(pixels, image, colorsToExtract: colors, interleavePixelColors: false))
            .Append<ITransformer>(catalog.Concatenate(o.FeatureColumnName, pixels))
            .Append<ITransformer>(catalog.DropColumns(pixels, image));
    }

    /// <summary>
    /// Puts the fitted image-input chain in front of <paramref name="pixelModel"/> (a model trained on
    /// pixel vectors, e.g. from <see cref="Data.ImageFolderData.LoadTrainTest"/> or MNIST), so that the
    /// saved model takes image paths. Returns the combined model and the input schema to save with it:
    /// the path column, plus the label column of <paramref name="trainingSchema"/> with its type when
    /// there is one (a saved <c>MapValueToKey</c> still reads it, even to predict).
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="pixelModel">The model trained on pixel vectors.</param>
    /// <param name="trainingSchema">The schema of the data it was trained on.</param>
    /// <param name="options">The image-input options (path column, size, colour); null for the defaults at the model's own size and channels. The size and channels must be the model's.</param>
    /// <param name="labelColumnName">The label column of the training data. Default <c>Label</c>.</param>
    public static (ITransformer Model, DataViewSchema InputSchema) PrependDigitImageInput(this MLContext ml, ITransformer pixelModel, DataViewSchema trainingSchema,
        DigitImageInputOptions? options = null, string labelColumnName = DefaultColumnNames.Label)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(pixelModel);
        ArgumentNullException.ThrowIfNull(trainingSchema);
        var shape = ImageShape.FromModel(pixelModel);
        var o = options ?? DefaultOptionsFor(shape);
        if (shape is not null && (shape.Channels != (o.KeepColor ? 3 : 1) || shape.Width != o.Width || shape.Height != o.Height))
            throw new ArgumentException($"The model reads {shape} images; the image-input options give {(o.KeepColor ? 3 : 1)}x{o.Height}x{o.Width} (set Width, Height and KeepColor to match, or pass null options).", nameof(options));
        if (o.ImagePathColumnName is null) throw new ArgumentException("DigitImageInputOptions.ImagePathColumnName is null; a saved model that takes image paths needs the path column.", nameof(options));
        var paths = Serving.ModelInputRows.For(trainingSchema, labelColumnName, o.FeatureColumnName, 0).Paths(ml, [], o.ImagePathColumnName);
        var imageInput = ml.Transforms.DigitImageInput(o).Fit(paths);
        return (new TransformerChain<ITransformer>(imageInput, pixelModel), paths.Schema);
    }

    /// <summary>
    /// The options <see cref="PrependDigitImageInput"/> uses when given none: the defaults at the model's
    /// own size and channels (colour models keep their colour and are not centred).
    /// </summary>
    internal static DigitImageInputOptions DefaultOptionsFor(ImageShape? shape) => shape is null ? new DigitImageInputOptions()
        : new DigitImageInputOptions { Width = shape.Width, Height = shape.Height, KeepColor = shape.Channels == 3 };

    /// <summary>
    /// The centring part: resize into the working square (aspect kept, transparent padding), extract the
    /// alpha and colour planes, run the centring graph (<see cref="Onnx.OnnxCentringExporter"/>) with ML.NET's
    /// <c>OnnxTransformer</c> (its own copy of the graph travels in model.zip).
    /// </summary>
    private static EstimatorChain<ITransformer> AppendCentring(TransformsCatalog catalog, EstimatorChain<ITransformer> chain, DigitImageInputOptions o)
    {
        string image = o.ImageColumnName, planes = PlanesColumnName(o);
        byte[] graph = Onnx.OnnxCentringExporter.Export(o.ToCentringSpec(), o.WorkingSize, planes, o.FeatureColumnName, Onnx.OnnxLayout.Row);
        using var stream = new MemoryStream(graph, writable: false);
        return chain
            .Append<ITransformer>(catalog.ResizeImages(image, o.WorkingSize, o.WorkingSize, image, ImageResizingEstimator.ResizingKind.IsoPad))
            .Append<ITransformer>(catalog.ExtractPixels(planes, image, colorsToExtract: ImagePixelExtractingEstimator.ColorBits.All,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB, interleavePixelColors: false))
            .Append<ITransformer>(catalog.ApplyOnnxModel(new[] { o.FeatureColumnName }, new[] { planes }, stream, gpuDeviceId: null, fallbackToCpu: false))
            .Append<ITransformer>(catalog.DropColumns(planes, image));
    }

    /// <summary>The helper column holding the alpha, red, green and blue planes of the working-size image.</summary>
    private static string PlanesColumnName(DigitImageInputOptions o) => o.FeatureColumnName + ".ImagePlanes";

    /// <summary>The helper column holding the extracted (shaped) pixels before they are flattened.</summary>
    private static string PixelsColumnName(DigitImageInputOptions o) => o.FeatureColumnName + ".Pixels";
}
