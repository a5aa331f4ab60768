namespace MlNetMnist.Networks;

/// <summary>The networks the trainer can build.</summary>
public enum NetworkArchitecture
{
    /// <summary>
    /// Small, fast CNN (the default): two 5x5 convolution blocks with batch norm and max pooling, then a
    /// linear classifier. Chosen to reach 99% MNIST test accuracy in a few epochs on a CPU.
    /// </summary>
    FastCnn,

    /// <summary>
    /// The CNN of the classic PyTorch MNIST example: conv 32 3x3, conv 64 3x3, max pool, dropout 0.25,
    /// linear 128, dropout 0.5, linear.
    /// </summary>
    ClassicCnn,

    /// <summary>The multilayer perceptron of the PyTorch tutorials: 512 - 512 - classes with ReLU.</summary>
    Mlp,

    /// <summary>
    /// A wider CNN with batch norm for the accuracy-oriented preset: three 3x3 convolution stages
    /// (32-64-128 channels, two convolutions each), global average pooling and a linear classifier.
    /// </summary>
    WideCnn,
}
