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
    /// A shape for a feature vector of <paramref name="size"/> values: 28x28 grayscale for 784 (the
    /// default), otherwise a square grayscale image, otherwise a square RGB image; null when
    /// <paramref name="size"/> is neither.
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
    /// The shape to use for <paramref name="featureColumn"/>: <paramref name="preferred"/> when its
    /// size is the column's vector size, otherwise <see cref="Infer"/>; null when the column is not a
    /// known-size vector of numbers or no shape fits.
    /// </summary>
    /// <param name="featureColumn">The feature column (null gives null).</param>
    /// <param name="preferred">The shape from the model or the caller, or null.</param>
    public static ImageShape? ForColumn(DataViewSchema.Column? featureColumn, ImageShape? preferred)
    {
        if (featureColumn?.Type is not VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType, Size: var size }) return null;
        return preferred is not null && preferred.Size == size ? preferred : Infer(size);
    }
}
