namespace MlNetMnist.Networks;

/// <summary>
/// One layer of a network, described by value. The same description builds the TorchSharp module
/// (<c>NetworkBuilder</c> (MlNetMnist.TorchSharp)) and the ONNX nodes of the saved model, so the two cannot drift apart.
/// </summary>
public abstract record LayerSpec;

/// <summary>Affine input normalisation <c>y = x * Scale + Shift</c>, applied to raw pixel values.</summary>
/// <param name="Scale">Multiplier (for MNIST: 1 / (255 * 0.3081)).</param>
/// <param name="Shift">Offset (for MNIST: -0.1307 / 0.3081).</param>
public sealed record NormalizeSpec(float Scale, float Shift) : LayerSpec
{
    /// <summary>Normalisation of 0-255 pixels to zero mean and unit variance for the given statistics of 0-1 pixels.</summary>
    public static NormalizeSpec ForPixels(float mean, float std) => new(1f / (255f * std), -mean / std);
}

/// <summary>Reshapes a flat <c>[N, C*H*W]</c> batch into images <c>[N, C, H, W]</c>.</summary>
public sealed record ReshapeToImageSpec(int Channels, int Height, int Width) : LayerSpec;

/// <summary>2-D convolution with square kernels.</summary>
public sealed record Conv2dSpec(int InChannels, int OutChannels, int Kernel, int Stride = 1, int Padding = 0, bool Bias = true) : LayerSpec;

/// <summary>Batch normalisation over the channels of <c>[N, C, H, W]</c>.</summary>
public sealed record BatchNorm2dSpec(int Channels, double Epsilon = 1e-5, double Momentum = 0.1) : LayerSpec;

/// <summary>Batch normalisation over the features of <c>[N, F]</c>.</summary>
public sealed record BatchNorm1dSpec(int Features, double Epsilon = 1e-5, double Momentum = 0.1) : LayerSpec;

/// <summary>Rectified linear unit.</summary>
public sealed record ReluSpec : LayerSpec;

/// <summary>Max pooling with square windows.</summary>
public sealed record MaxPool2dSpec(int Kernel, int Stride) : LayerSpec;

/// <summary>Global average pooling <c>[N, C, H, W] -&gt; [N, C]</c>.</summary>
public sealed record GlobalAvgPoolSpec : LayerSpec;

/// <summary>Dropout (identity at inference; not exported).</summary>
public sealed record DropoutSpec(double Probability) : LayerSpec;

/// <summary>Flattens <c>[N, ...]</c> to <c>[N, F]</c>.</summary>
public sealed record FlattenSpec : LayerSpec;

/// <summary>Fully connected layer.</summary>
public sealed record LinearSpec(int InFeatures, int OutFeatures, bool Bias = true) : LayerSpec;
