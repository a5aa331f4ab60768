namespace MlNetMnist.Networks;

/// <summary>The networks the trainer can build.</summary>
public enum NetworkArchitecture
{
    /// <summary>
    /// Small, fast CNN (the default): two 5x5 convolutions (16 and 32 channels) with batch norm and max
    /// pooling, then a linear classifier. Chosen by measurement to reach 99% MNIST test accuracy in a
    /// few seconds per epoch on a CPU.
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
    /// A wider CNN with batch norm for the accuracy-oriented preset: convolutions of 32 (5x5), 64 and
    /// 128 (3x3) channels, each followed by max pooling, then dropout and a linear classifier.
    /// </summary>
    WideCnn,
}
