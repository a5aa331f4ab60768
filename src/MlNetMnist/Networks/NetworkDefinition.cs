namespace MlNetMnist.Networks;

/// <summary>
/// A feed-forward classification network over flat image vectors: its input shape, its layers and
/// its number of classes. Input rows are raw pixel values (0-255, row-major, channel-major); the
/// first layer normalises them, so a saved model takes raw pixels. The output is one logit per class.
/// </summary>
/// <param name="Name">Short name, e.g. <c>fast-cnn</c>.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Classes">Number of output classes.</param>
/// <param name="Layers">The layers, in order.</param>
public sealed record NetworkDefinition(string Name, int Channels, int Height, int Width, int Classes, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>Length of one flat input row, <c>Channels * Height * Width</c>.</summary>
    public int InputSize => Channels * Height * Width;
}
