namespace MlNetMnist.Networks;

/// <summary>
/// Data-dependent polarity normalisation of raw pixel rows, for networks trained on light digits on a
/// dark background (MNIST): for each image, the mean of its border pixels (the outer ring
/// <see cref="BorderWidth"/> pixels wide, over all channels) is compared with <see cref="Threshold"/>;
/// when it is larger (a light background), the image is inverted, <c>x = MaxValue - x</c>, otherwise it
/// is left as it is. Placed first in a network, before <see cref="NormalizeSpec"/>.
/// </summary>
/// <remarks>
/// The TorchSharp module (<c>NetworkBuilder</c> (MlNetMnist.TorchSharp)) and the exported ONNX graph (<c>Gather</c> of the
/// border, <c>ReduceMean</c>, <c>Greater</c>, <c>Sub</c>, <c>Where</c>) compute the same function from
/// this one description, so a saved model inverts exactly the images the trained network does, and it
/// does so without this library: the step lives inside the ONNX graph.
/// </remarks>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="BorderWidth">Width in pixels of the border ring whose mean decides. Default 2.</param>
/// <param name="Threshold">A border mean above this means a light background. Default 127.5.</param>
/// <param name="MaxValue">The largest pixel value, <c>x</c> becomes <c>MaxValue - x</c>. Default 255.</param>
public sealed record AutoInvertSpec(int Channels, int Height, int Width, int BorderWidth = 2, float Threshold = 127.5f, float MaxValue = 255f) : LayerSpec
{
    /// <summary>
    /// Indices, in a flat channel-major row-major row of <c>Channels * Height * Width</c> values, of the
    /// border pixels, in increasing order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The shape or border width is not valid.</exception>
    public long[] BorderIndices()
    {
        if (Channels < 1 || Height < 1 || Width < 1)
            throw new ArgumentOutOfRangeException(nameof(Height), $"Image shape {Channels}x{Height}x{Width} is not valid.");
        if (BorderWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(BorderWidth), BorderWidth, "The border must be at least 1 pixel wide.");
        var indices = new List<long>();
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    if (y < BorderWidth || y >= Height - BorderWidth || x < BorderWidth || x >= Width - BorderWidth)
                        indices.Add(((long)c * Height + y) * Width + x);
        return indices.ToArray();
    }

    /// <summary>
    /// <paramref name="definition"/> with an <see cref="AutoInvertSpec"/> for its input shape as the
    /// first layer (the definition itself when its first layer already is one). Layer indices, and so
    /// the names of the weights, shift by one: apply this before the network is built or trained.
    /// </summary>
    /// <param name="definition">The network.</param>
    public static NetworkDefinition Prepend(NetworkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Layers.Count > 0 && definition.Layers[0] is AutoInvertSpec) return definition;
        var spec = new AutoInvertSpec(definition.Channels, definition.Height, definition.Width);
        return definition with { Layers = [spec, .. definition.Layers] };
    }
}
