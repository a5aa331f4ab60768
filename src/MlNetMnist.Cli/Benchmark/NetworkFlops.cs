using MlNetMnist.Networks;

namespace MlNetMnist.Cli.Benchmark;

/// <summary>
/// Floating-point operations per image of a network, from its definition: the multiply-adds of the
/// convolutions and linear layers (each counted as 2 operations; element-wise layers, pooling and
/// normalisation are left out, they are a small fraction). A training step costs about 3 forward passes
/// (the forward pass, then the gradients with respect to the inputs and to the weights).
/// </summary>
internal static class NetworkFlops
{
    /// <summary>Multiply-adds of one forward pass of one image.</summary>
    public static long MultiplyAdds(NetworkDefinition definition)
    {
        long macs = 0;
        int c = definition.Channels, h = definition.Height, w = definition.Width, flat = definition.InputSize;
        foreach (var layer in definition.Layers)
        {
            switch (layer)
            {
                case ReshapeToImageSpec r:
                    (c, h, w) = (r.Channels, r.Height, r.Width);
                    break;
                case Conv2dSpec conv:
                    h = (h + 2 * conv.Padding - conv.Kernel) / conv.Stride + 1;
                    w = (w + 2 * conv.Padding - conv.Kernel) / conv.Stride + 1;
                    macs += (long)conv.OutChannels * h * w * conv.InChannels * conv.Kernel * conv.Kernel;
                    c = conv.OutChannels;
                    flat = c * h * w;
                    break;
                case MaxPool2dSpec pool:
                    h = (h - pool.Kernel) / pool.Stride + 1;
                    w = (w - pool.Kernel) / pool.Stride + 1;
                    flat = c * h * w;
                    break;
                case GlobalAvgPoolSpec:
                    (h, w, flat) = (1, 1, c);
                    break;
                case LinearSpec linear:
                    macs += (long)linear.InFeatures * linear.OutFeatures;
                    flat = linear.OutFeatures;
                    break;
            }
        }
        _ = flat;
        return macs;
    }

    /// <summary>Operations of one forward pass of one image (2 per multiply-add).</summary>
    public static double Forward(NetworkDefinition definition) => 2.0 * MultiplyAdds(definition);

    /// <summary>Operations of one training step per image: forward and backward, 3 forward passes.</summary>
    public static double Training(NetworkDefinition definition) => 3 * Forward(definition);
}
