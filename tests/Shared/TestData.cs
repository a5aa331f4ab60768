namespace MlNetMnist.Tests.Shared;

/// <summary>Where the tests find MNIST and scratch space. The dataset is never part of the repository.</summary>
internal static class TestData
{
    /// <summary>
    /// The folder with the four MNIST IDX files: <c>MNIST_DATA_DIR</c> if set, else
    /// <c>../shared/data/mnist</c> next to the repository, else <c>data/mnist</c> inside it.
    /// </summary>
    public static string MnistDirectory { get; } = FindMnist();

    /// <summary>The repository root (the folder holding MlNetMnist.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>A new empty folder under the system temp folder.</summary>
    public static string NewTempDirectory(string prefix = "mlnetmnist-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetMnist.sln"))) return dir.FullName;
        throw new InvalidOperationException($"MlNetMnist.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string FindMnist()
    {
        var fromEnv = Environment.GetEnvironmentVariable("MNIST_DATA_DIR");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        string root = FindRoot();
        foreach (var candidate in new[] { Path.Combine(root, "..", "shared", "data", "mnist"), Path.Combine(root, "data", "mnist") })
            if (File.Exists(Path.Combine(candidate, "train-labels-idx1-ubyte.gz")) || File.Exists(Path.Combine(candidate, "train-labels-idx1-ubyte")))
                return Path.GetFullPath(candidate);
        throw new InvalidOperationException("MNIST not found: set MNIST_DATA_DIR or put the four IDX files in ../shared/data/mnist or data/mnist.");
    }
}
