using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

namespace MlNetMnist.Images;

/// <summary>
/// Splits a model whose chain starts with image transforms (as built by
/// <see cref="DigitImageCatalog.DigitImageInput"/>) into that image part and the rest, which scores
/// pixel vectors. Serving code uses the rest to score pixels it prepared itself (for example with
/// <see cref="DigitImagePreprocessor"/>), whether the model was trained with image input or not.
/// </summary>
public static class ImageInputSplitter
{
    /// <summary>
    /// Splits <paramref name="model"/>. The image part is the longest run of leading transformers (nested
    /// chains are looked into) made of ML.NET image transforms, followed by the <c>Concatenate</c> and
    /// <c>DropColumns</c> that flatten their pixels; it is null when the model does not start with an
    /// image transform, and <c>PixelModel</c> is then <paramref name="model"/> itself.
    /// </summary>
    /// <param name="model">A fitted or loaded model.</param>
    /// <returns>The image part (or null) and the part that reads pixel vectors. Both share the transformers of <paramref name="model"/>: dispose only the model.</returns>
    public static (ITransformer? ImagePart, ITransformer PixelModel) Split(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = TransformerChains.Flatten(model).ToList();
        int count = 0;
        while (count < all.Count && IsImageTransform(all[count])) count++;
        if (count == 0) return (null, model);
        // The centring graph of DigitImageInput reads the extracted planes directly (a classifier reads flattened pixels).
        if (count < all.Count && all[count - 1] is ImagePixelExtractingTransformer && all[count] is OnnxTransformer) count++;
        while (count < all.Count && all[count] is ColumnConcatenatingTransformer or ColumnSelectingTransformer) count++;
        return (new TransformerChain<ITransformer>(all.Take(count).ToArray()), new TransformerChain<ITransformer>(all.Skip(count).ToArray()));
    }

    /// <summary>True when <paramref name="model"/> starts with an ML.NET image transform (it reads image paths or images, not pixel vectors).</summary>
    /// <param name="model">A fitted or loaded model.</param>
    public static bool HasImageInput(ITransformer model) => Split(model).ImagePart is not null;

    private static bool IsImageTransform(ITransformer t) =>
        t is ImageLoadingTransformer or ImageGrayscalingTransformer or ImageResizingTransformer or ImagePixelExtractingTransformer;
}
