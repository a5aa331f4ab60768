using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MlNetMnist.Images;

/// <summary>
/// Catalog extension that builds, from ML.NET's own image transforms only, the chain that turns image
/// files (or in-memory <see cref="MLImage"/>s) into the pixel vector a digit network reads.
/// </summary>
/// <remarks>
/// <para>The chain: <c>LoadImages</c> (when the input is a path column), <c>ConvertToGrayscale</c>,
/// <c>ResizeImages</c> to 28x28, <c>ExtractPixels</c> (one channel, raw 0-255), <c>Concatenate</c> (a flat
/// <c>Vector&lt;Single, 784&gt;</c>, the shape the trainer and the saved ONNX graph read) and
/// <c>DropColumns</c> of the helper columns. Every step saves and loads with <c>Microsoft.ML</c> and
/// <c>Microsoft.ML.ImageAnalytics</c> alone, so <c>imageInput.Append(trainer)</c> (or the fitted chain
/// in front of a trained model) saves into one <c>model.zip</c> that accepts image paths.</para>
/// <para>Inversion of dark-on-light images is not here: train with
/// <c>TorchCnnOptions.InputPolarity</c> = <see cref="InputPolarity.AutoInvert"/>, which puts it
/// inside the network and the saved ONNX graph. Centring the digit by mass the way MNIST was made cannot
/// be expressed with saveable ML.NET transforms: it is the optional <see cref="DigitImagePreprocessor"/>.</para>
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
        return chain
            .Append<ITransformer>(catalog.ConvertToGrayscale(image, image))
            .Append<ITransformer>(catalog.ResizeImages(image, o.Width, o.Height, image, o.Resizing))
            .Append<ITransformer>(catalog.ExtractPixels(pixels, image, colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            .Append<ITransformer>(catalog.Concatenate(o.FeatureColumnName, pixels))
            .Append<ITransformer>(catalog.DropColumns(pixels, image));
    }

    /// <summary>The helper column holding the extracted (shaped) pixels before they are flattened.</summary>
    private static string PixelsColumnName(DigitImageInputOptions o) => o.FeatureColumnName + ".Pixels";
}
