using System.Runtime.InteropServices;
using MlNetMnist.Build;
using TorchSharp;

namespace MlNetMnist.Native;

/// <summary>
/// Loads TorchSharp's native glue (<c>LibTorchSharp</c>) before TorchSharp itself does, so that a
/// failure gives one clear message naming the cause and the fix instead of TorchSharp's misleading
/// "doesn't contain a reference to libtorch-cpu-linux-x64" (which it also prints to the console).
/// The usual cause on Debian 12 / Ubuntu 22.04 is a <c>libstdc++</c> without <c>GLIBCXX_3.4.32</c>,
/// which the package's build step works around (see MlNetMnist.TorchSharp.targets).
/// </summary>
internal static class LibTorchNative
{
    private const string LibraryFile = "libLibTorchSharp.so";
    private static readonly Lazy<string?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads the native library once per process.</summary>
    /// <exception cref="InvalidOperationException">It cannot be loaded; the message names the library, the missing version and the fix.</exception>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } message) throw new InvalidOperationException(message);
    }

    private static string? TryLoad()
    {
        var assembly = typeof(torch).Assembly;
        // LibTorchSharp needs libtorch_cpu, which the loader finds next to it once torch_cpu is loaded by name.
        NativeLibrary.TryLoad("torch_cpu", assembly, null, out _);
        try
        {
            NativeLibrary.Load("LibTorchSharp", assembly, null);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return Diagnose(e);
        }
    }

    /// <summary>Why the library did not load: an unmet libstdc++ version if that is it, else the loader's own message.</summary>
    private static string Diagnose(Exception loadError)
    {
        string? library = FindLibrary();
        if (OperatingSystem.IsLinux() && library is not null && HostLibStdCxx.Find() is { } host)
        {
            var missing = MissingVersions(File.ReadAllBytes(library), File.ReadAllBytes(host));
            if (missing.Count > 0)
            {
                string newest = NewestGlibcxx(File.ReadAllBytes(host));
                return $"TorchSharp's native library {library} requires {string.Join(", ", missing)} from libstdc++.so.6, which this machine's {host} does not have (its newest is {newest}). " +
                       "Fix: build the app with MlNetMnist.TorchSharp as a PackageReference or a ProjectReference (its build step marks that requirement weak in the copy in the output folder; " +
                       "check that MlNetMnistSkipNativePatch is not set to true), then run it from that output or publish folder; or install a libstdc++ from GCC 13 or newer.";
            }
        }
        string where = library ?? $"{LibraryFile} (not found next to {typeof(torch).Assembly.Location})";
        return $"TorchSharp's native library {where} could not be loaded: {OneLine(loadError.Message)} " +
               "Check that the TorchSharp-cpu package (or TorchSharp-cuda-linux with -p:TorchBackend=cuda) is referenced and its runtimes folder was copied to the output.";
    }

    /// <summary>The non-weak libstdc++ versions <paramref name="library"/> requires that <paramref name="libStdCxx"/> does not define.</summary>
    internal static IReadOnlyList<string> MissingVersions(byte[] library, byte[] libStdCxx)
    {
        var defined = ElfVersioning.ReadVersionDefinitions(libStdCxx).ToHashSet(StringComparer.Ordinal);
        return ElfVersioning.ReadVersionNeeds(library)
            .Where(n => n.File.StartsWith("libstdc++", StringComparison.Ordinal) && (n.Flags & ElfVersioning.VerFlagWeak) == 0 && !defined.Contains(n.Version))
            .Select(n => n.Version).Distinct().ToArray();
    }

    private static string NewestGlibcxx(byte[] libStdCxx) =>
        ElfVersioning.ReadVersionDefinitions(libStdCxx)
            .Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
            .Select(v => (Name: v, Version: Version.TryParse(v["GLIBCXX_".Length..], out var parsed) ? parsed : new Version()))
            .MaxBy(v => v.Version).Name ?? "none";

    private static string? FindLibrary()
    {
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        foreach (string dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }.Distinct())
            foreach (string candidate in new[] { Path.Combine(dir, LibraryFile), Path.Combine(dir, "runtimes", rid, "native", LibraryFile) })
                if (File.Exists(candidate)) return candidate;
        return null;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
