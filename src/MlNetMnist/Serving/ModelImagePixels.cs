using Microsoft.ML.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Serving;

/// <summary>
/// How the prediction service turns an image into the pixels of its model: the digit pre-processor
/// (grayscale, centred like MNIST) for a one-channel model, colour planes resized to the model's size
/// (<see cref="ColorImagePixels"/>) for an RGB model. Other channel counts take pixel vectors only.
/// </summary>
internal sealed class ModelImagePixels
{
    private readonly ImageShape _shape;
    private readonly DigitImagePreprocessor _gray;
    private readonly ColorImagePixels? _color;

    public ModelImagePixels(ImageShape shape, DigitImagePreprocessor gray)
    {
        _shape = shape;
        _gray = gray;
        if (shape.Channels == 3) _color = new ColorImagePixels(shape.Width, shape.Height);
    }

    public float[] FromImage(MLImage image) => _color?.Process(image) ?? Gray().Process(image);

    public float[] FromEncoded(ReadOnlySpan<byte> encoded) => _color is not null ? _color.Process(encoded) : Gray().Process(encoded);

    public float[] FromFile(string path) => _color?.ProcessFile(path) ?? Gray().ProcessFile(path);

    private DigitImagePreprocessor Gray() => _shape.Channels == 1 ? _gray
        : throw new NotSupportedException($"The model reads {_shape} images ({_shape.Channels} channels); images can be predicted for 1-channel (grayscale) and 3-channel (RGB) models only. Give its pixel vectors to Predict instead.");
}
