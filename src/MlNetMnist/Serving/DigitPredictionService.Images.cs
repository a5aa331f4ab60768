using Microsoft.ML.Data;
using MlNetMnist.Images;

namespace MlNetMnist.Serving;

/// <summary>How the service turns images into the pixels its model reads ("what the model saw").</summary>
public sealed partial class DigitPredictionService
{
    /// <summary>
    /// True when images are prepared by the model's own saved image chain (a model saved with
    /// <see cref="DigitImageCatalog.DigitImageInput"/>'s centring): the service then gives exactly the
    /// pixels <c>mlContext.Model.Load</c> and an image path give the classifier. False: by <see cref="Preprocessor"/> (or, for an RGB model, its colour planes resized).
    /// </summary>
    public bool PreparesWithModel => _images is not null;

    /// <summary>
    /// The pixels the model reads for <paramref name="image"/> (<see cref="InputSize"/> values 0-255,
    /// row-major, <see cref="Width"/> x <see cref="Height"/>): what <c>PredictImage</c> scores, to show or log
    /// what the model saw.
    /// </summary>
    /// <param name="image">The image, of any size and polarity.</param>
    public float[] PrepareImage(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _images is null ? _imagePixels.FromImage(image) : _images.Prepare(image);
    }

    /// <summary>The pixels the model reads for an encoded image (PNG, JPEG, BMP, GIF, WEBP); see <see cref="PrepareImage(MLImage)"/>.</summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are not an image.</exception>
    public float[] PrepareImage(ReadOnlySpan<byte> encoded)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_images is null) return _imagePixels.FromEncoded(encoded);
        using var image = DigitImages.Decode(encoded.ToArray());
        return _images.Prepare(image);
    }

    /// <summary>The pixels the model reads for an image file; see <see cref="PrepareImage(MLImage)"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image; the message names it.</exception>
    public float[] PrepareImageFile(string path)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_images is null) return _imagePixels.FromFile(path);
        using var image = DigitImages.Load(path);
        return _images.Prepare(image);
    }
}
