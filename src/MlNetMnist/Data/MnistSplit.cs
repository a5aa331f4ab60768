namespace MlNetMnist.Data;

/// <summary>The two parts of MNIST.</summary>
public enum MnistSplit
{
    /// <summary>The 60,000 training images (<c>train-*</c> files).</summary>
    Train,

    /// <summary>The 10,000 test images (<c>t10k-*</c> files).</summary>
    Test,
}
