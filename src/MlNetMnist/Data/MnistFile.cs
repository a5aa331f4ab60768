namespace MlNetMnist.Data;

/// <summary>One of the four MNIST files, as published, with the checksum of its decompressed content.</summary>
/// <param name="Name">Base name without <c>.gz</c>, e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="Size">Size of the decompressed content in bytes.</param>
/// <param name="Md5">MD5 of the decompressed content, lowercase hex.</param>
public sealed record MnistFile(string Name, long Size, string Md5)
{
    /// <summary>The gzipped file's name, <c>{Name}.gz</c>.</summary>
    public string GzName => Name + ".gz";
}
