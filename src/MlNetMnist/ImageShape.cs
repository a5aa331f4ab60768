using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetMnist.SavedModels;

namespace MlNetMnist;

/// <summary>
/// The shape of the images in a feature vector: <see cref="Channels"/> planes of
/// <see cref="Height"/> rows of <see cref="Width"/> pixels, row-major (the layout of ML.NET's
/// <c>ExtractPixels</c> with its defaults, and of MNIST).
/// </summary>
/// <param name="Channels">Colour planes: 1 for grayscale, 3 for RGB.</param>
/// <param name="Height">Rows of pixels.</param>
/// <param name="Width">Pixels per row.</param>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The MNIST shape, 1 x 28 x 28; the default when nothing else tells the shape.</summary>
    public static ImageShape Mnist { get; } = new(1, 28, 28);

    /// <summary>Values per image: <c>Channels * Height * Width</c>.</summary>
    public int Size => Channels * Height * Width;

    /// <summary><c>1x28x28</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Channels}x{Height}x{Width}");

    /// <summary>
    /// The input shape of the image classifier inside <paramref name="model"/>
    /// (<see cref="IImageClassifierModel.InputShape"/>), or null when the model has none (a model loaded
    /// from a file scores through ONNX: see <see cref="FromModelFile"/>).
    /// </summary>
    /// <param name="model">A fitted model or transformer chain.</param>
    public static ImageShape? FromModel(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TransformerChains.FindClassifier(model)?.InputShape;
    }

    /// <summary>
    /// The input shape stored in a model file saved from a TorchCnn model (the <c>input_shape</c>
    /// metadata of its ONNX network), or null when the file has none.
    /// </summary>
    /// <param name="modelPath">An ML.NET model file (<c>model.zip</c>).</param>
    public static ImageShape? FromModelFile(string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        return SavedModelMetadata.ParseShape(SavedModelMetadata.Read(modelPath).GetValueOrDefault("input_shape"));
    }

    /// <summary>
    /// A shape for a feature vector of <paramref name="size"/> values when nothing else tells it:
    /// 28x28 grayscale for 784, otherwise a square grayscale image, otherwise a square RGB image
    /// (three square planes); null when <paramref name="size"/> is none of these (no other shape is guessed).
    /// </summary>
    /// <param name="size">Values per image.</param>
    public static ImageShape? Infer(int size)
    {
        if (size == Mnist.Size) return Mnist;
        if (size < 1) return null;
        int side = (int)Math.Round(Math.Sqrt(size));
        if (side * side == size) return new ImageShape(1, side, side);
        if (size % 3 == 0)
        {
            side = (int)Math.Round(Math.Sqrt(size / 3));
            if (side * side * 3 == size) return new ImageShape(3, side, side);
        }
        return null;
    }

    /// <summary>
    /// The image shape of a pixel column, the one rule every part of MlNetMnist uses (training,
    /// serving, reports): the sizes given explicitly win; what they leave open comes from the column's
    /// declared dimensions (<c>Vector&lt;Single, H, W&gt;</c> or <c>Vector&lt;Single, C, H, W&gt;</c>, e.g.
    /// <c>[VectorType(20, 30)]</c>); without either, <see cref="Infer"/> (784 is 28x28, a square is
    /// grayscale, three squares are RGB). A size that fits none of these is refused, never guessed.
    /// </summary>
    /// <param name="columnName">The column's name, for the error message.</param>
    /// <param name="type">The column's type: a known-size vector.</param>
    /// <param name="channels">Channels, or null.</param>
    /// <param name="height">Height, or null.</param>
    /// <param name="width">Width, or null.</param>
    /// <exception cref="ArgumentException">The column is not a known-size vector, or no shape fits its size; the message names the column, its size and what to set.</exception>
    public static ImageShape Resolve(string columnName, DataViewType type, int? channels = null, int? height = null, int? width = null) =>
        TryResolve(type, channels, height, width, out var shape, out string? problem)
            ? shape
            : throw new ArgumentException($"Column '{columnName}' {problem}");

    /// <summary>As <see cref="Resolve"/>, without throwing: false (and why, completing "Column 'X' ...") when no shape fits.</summary>
    /// <param name="type">The column's type.</param>
    /// <param name="channels">Channels, or null.</param>
    /// <param name="height">Height, or null.</param>
    /// <param name="width">Width, or null.</param>
    /// <param name="shape">The shape, when found.</param>
    /// <param name="problem">What is wrong, when none is found.</param>
    public static bool TryResolve(DataViewType type, int? channels, int? height, int? width,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImageShape? shape,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(type);
        shape = null;
        if (type is not VectorDataViewType { IsKnownSize: true, Size: > 0 } vector)
        {
            problem = $"has type {type}; expected a known-size vector of pixel values.";
            return false;
        }
        int size = vector.Size;
        var dims = vector.Dimensions;
        (int C, int H, int W)? declared = dims.Length switch
        {
            3 => (dims[0], dims[1], dims[2]),
            2 => (1, dims[0], dims[1]),
            _ => null,
        };
        int c = channels ?? (height is null && width is null ? declared?.C : null) ?? 1;
        int h, w;
        if (height is int givenHeight && width is int givenWidth) (h, w) = (givenHeight, givenWidth);
        else if (height is int onlyHeight) (h, w) = (onlyHeight, size / Math.Max(1, c * onlyHeight));
        else if (width is int onlyWidth) (h, w) = (size / Math.Max(1, c * onlyWidth), onlyWidth);
        else if (declared is { } d && d.C == c) (h, w) = (d.H, d.W);
        else if (channels is null && Infer(size) is { } inferred) (c, h, w) = (inferred.Channels, inferred.Height, inferred.Width);
        else if (channels is int given && size % given == 0 && Infer(size / given) is { Channels: 1 } plane) (h, w) = (plane.Height, plane.Width);
        else
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"has {size} values per row, which is not a square image (nor three square planes); give the column its dimensions (e.g. [VectorType(height, width)] or a Vector<Single, C, H, W> type) or set the image height and width (TorchCnnOptions.ImageHeight and ImageWidth when training).");
            return false;
        }
        if (c < 1 || h < 1 || w < 1 || (long)c * h * w != size)
        {
            problem = string.Create(CultureInfo.InvariantCulture,
                $"has {size} values per row, which is not {c} x {h} x {w} (channels x height x width); set the image channels, height and width to match the column.");
            return false;
        }
        shape = new ImageShape(c, h, w);
        problem = null;
        return true;
    }

    /// <summary>
    /// The shape to use for <paramref name="featureColumn"/> in a report: <paramref name="preferred"/>
    /// when its size is the column's vector size, otherwise <see cref="TryResolve"/>; null when the
    /// column is not a known-size vector of numbers or no shape fits.
    /// </summary>
    /// <param name="featureColumn">The feature column (null gives null).</param>
    /// <param name="preferred">The shape from the model or the caller, or null.</param>
    public static ImageShape? ForColumn(DataViewSchema.Column? featureColumn, ImageShape? preferred)
    {
        if (featureColumn?.Type is not VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType, Size: var size } type) return null;
        if (preferred is not null && preferred.Size == size) return preferred;
        return TryResolve(type, null, null, null, out var shape, out _) ? shape : null;
    }
}
