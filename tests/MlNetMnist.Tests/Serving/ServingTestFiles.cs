namespace MlNetMnist.Tests.Serving;

/// <summary>Model files in a folder of their own, replaced the way a deployment should (atomically), and bounded waits.</summary>
internal static class ServingTestFiles
{
    /// <summary>Copies <paramref name="source"/> into a new temporary folder as <c>model.zip</c>.</summary>
    public static string CopyToNewFolder(string source, string name = "model.zip")
    {
        string dir = TestData.NewTempDirectory("mlnetmnist-serving");
        string path = Path.Combine(dir, name);
        File.Copy(source, path);
        return path;
    }

    /// <summary>Writes <paramref name="bytes"/> beside <paramref name="path"/> and renames it over it (an atomic replace).</summary>
    public static void Replace(string path, byte[] bytes)
    {
        string temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The version a pool gives a file: the first 12 hex digits of its SHA-256.</summary>
    public static string VersionOf(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..12];

    /// <summary>Waits until <paramref name="condition"/> holds, at most <paramref name="seconds"/> seconds; false if it never did.</summary>
    public static bool WaitFor(Func<bool> condition, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            Thread.Sleep(25);
        }
        return condition();
    }

    public static void DeleteFolderOf(string path)
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
