namespace MlNetMnist.Networks;

/// <summary>Builds the <see cref="NetworkDefinition"/> of each <see cref="NetworkArchitecture"/> for a given input.</summary>
public static class Architectures
{
    /// <summary>Creates the definition of <paramref name="architecture"/> for images of the given shape.</summary>
    /// <param name="architecture">Which network.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="classes">Number of classes (at least 2).</param>
    /// <param name="normalize">Input normalisation applied to raw pixel values.</param>
    public static NetworkDefinition Create(NetworkArchitecture architecture, int channels, int height, int width, int classes, NormalizeSpec normalize)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Image shape {channels}x{height}x{width} is not valid.");
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");

        var shape = new ShapeTracker(channels, height, width);
        var layers = new List<LayerSpec> { normalize };
        string name;
        switch (architecture)
        {
            case NetworkArchitecture.FastCnn:
                name = "fast-cnn";
                layers.Add(new ReshapeToImageSpec(channels, height, width));
                ConvBlock(layers, shape, 16, kernel: 5, padding: 0, batchNorm: true, pool: true);
                ConvBlock(layers, shape, 32, kernel: 5, padding: 0, batchNorm: true, pool: true);
                layers.Add(new FlattenSpec());
                layers.Add(new LinearSpec(shape.Flat, classes));
                break;

            case NetworkArchitecture.ClassicCnn:
                name = "classic-cnn";
                layers.Add(new ReshapeToImageSpec(channels, height, width));
                ConvBlock(layers, shape, 32, kernel: 3, padding: 0, batchNorm: false, pool: false);
                ConvBlock(layers, shape, 64, kernel: 3, padding: 0, batchNorm: false, pool: true);
                layers.Add(new DropoutSpec(0.25));
                layers.Add(new FlattenSpec());
                layers.Add(new LinearSpec(shape.Flat, 128));
                layers.Add(new ReluSpec());
                layers.Add(new DropoutSpec(0.5));
                layers.Add(new LinearSpec(128, classes));
                break;

            case NetworkArchitecture.Mlp:
                name = "mlp";
                layers.Add(new LinearSpec(shape.Flat, 512));
                layers.Add(new ReluSpec());
                layers.Add(new LinearSpec(512, 512));
                layers.Add(new ReluSpec());
                layers.Add(new LinearSpec(512, classes));
                break;

            case NetworkArchitecture.WideCnn:
                name = "wide-cnn";
                layers.Add(new ReshapeToImageSpec(channels, height, width));
                ConvBlock(layers, shape, 32, kernel: 5, padding: 2, batchNorm: true, pool: true);
                ConvBlock(layers, shape, 64, kernel: 3, padding: 1, batchNorm: true, pool: true);
                ConvBlock(layers, shape, 128, kernel: 3, padding: 1, batchNorm: true, pool: true);
                layers.Add(new FlattenSpec());
                layers.Add(new DropoutSpec(0.3));
                layers.Add(new LinearSpec(shape.Flat, classes));
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "Unknown network architecture.");
        }
        return new NetworkDefinition(name, channels, height, width, classes, layers);
    }

    private static void ConvBlock(List<LayerSpec> layers, ShapeTracker shape, int outChannels, int kernel, int padding, bool batchNorm, bool pool)
    {
        layers.Add(new Conv2dSpec(shape.Channels, outChannels, kernel, Stride: 1, Padding: padding, Bias: !batchNorm));
        shape.Convolve(outChannels, kernel, stride: 1, padding);
        if (batchNorm) layers.Add(new BatchNorm2dSpec(outChannels));
        layers.Add(new ReluSpec());
        if (pool)
        {
            layers.Add(new MaxPool2dSpec(2, 2));
            shape.Convolve(shape.Channels, 2, stride: 2, padding: 0);
        }
    }

    /// <summary>Follows the <c>[C, H, W]</c> shape through convolutions and pools.</summary>
    private sealed class ShapeTracker(int channels, int height, int width)
    {
        public int Channels { get; private set; } = channels;
        public int Height { get; private set; } = height;
        public int Width { get; private set; } = width;
        public int Flat => Channels * Height * Width;

        public void Convolve(int outChannels, int kernel, int stride, int padding)
        {
            Channels = outChannels;
            Height = (Height + 2 * padding - kernel) / stride + 1;
            Width = (Width + 2 * padding - kernel) / stride + 1;
            if (Height < 1 || Width < 1)
                throw new ArgumentException($"The input image is too small for this network (a layer's output would be {Height}x{Width}).");
        }
    }
}
