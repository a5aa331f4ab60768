using MlNetMnist.Build;
using MlNetMnist.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetMnist.Tests.Native;

public class TorchSharpLoadsTests
{
    [Fact]
    public void ForwardAndBackwardPassRunOnCpu()
    {
        using var scope = NewDisposeScope();
        var layer = nn.Linear(4, 3);
        var x = tensor(new float[] { 1, 2, 3, 4, -1, 0, 1, 2 }, new long[] { 2, 4 });
        var target = tensor(new long[] { 0, 2 });
        var loss = nn.functional.cross_entropy(layer.forward(x), target);
        loss.backward();

        Assert.True(float.IsFinite(loss.item<float>()));
        var grad = layer.weight!.grad!;
        Assert.Equal(new long[] { 3, 4 }, grad.shape);
        float gradNorm = grad.abs().sum().ToSingle();
        Assert.True(gradNorm > 0, "the backward pass produced no gradient");
        // A gradient of W for cross-entropy sums to zero over the classes (softmax minus one-hot).
        float columnSums = grad.sum(0L).abs().max().ToSingle();
        Assert.True(columnSums < 1e-5, $"gradient column sums {columnSums}");
    }

    [Fact]
    public void OutputCopyOfLibTorchSharpHasWeakGlibcxxRequirementOnlyWhenHostLacksIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(lib), $"{lib} is missing");
        var need = ElfVersioning.ReadVersionNeeds(File.ReadAllBytes(lib)).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);

        string? host = HostLibStdCxx.Find();
        bool hostHasIt = host != null && HostLibStdCxx.Provides(host, "GLIBCXX_3.4.32");
        Assert.Equal(!hostHasIt, (need.Flags & ElfVersioning.VerFlagWeak) != 0);
        if (host != null)
            Assert.Contains("GLIBCXX_3.4.30", ElfVersioning.ReadVersionDefinitions(File.ReadAllBytes(host)));
    }

    [Fact]
    public void TheLoadCheckNamesTheMissingVersionOfTheUnpatchedLibraryAndNoneOfThePatchedCopy()
    {
        if (!OperatingSystem.IsLinux() || HostLibStdCxx.Find() is not { } host) return;
        byte[] hostBytes = File.ReadAllBytes(host);
        string patched = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.Empty(LibTorchNative.MissingVersions(File.ReadAllBytes(patched), hostBytes));

        // The package's own copy in the NuGet cache is never patched.
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string original = Directory.EnumerateFiles(Path.Combine(packages, "torchsharp"),
            "libLibTorchSharp.so", SearchOption.AllDirectories).First(f => f.Contains("linux-x64", StringComparison.Ordinal));
        var missing = LibTorchNative.MissingVersions(File.ReadAllBytes(original), hostBytes);
        if (HostLibStdCxx.Provides(host, "GLIBCXX_3.4.32")) Assert.Empty(missing);
        else Assert.Equal(["GLIBCXX_3.4.32"], missing);

        LibTorchNative.EnsureLoaded(); // the patched copy loads: no exception
    }
}
